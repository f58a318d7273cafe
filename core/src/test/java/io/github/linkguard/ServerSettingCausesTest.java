package io.github.linkguard;

import static io.github.linkguard.Pools.diagnosisOf;
import static io.github.linkguard.Pools.execute;
import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.github.linkguard.testkit.EmbeddedMariaDb;
import io.github.linkguard.testkit.FaultProxy;
import io.github.linkguard.testkit.FaultProxy.Direction;
import io.github.linkguard.testkit.MariaDbExtension;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Causes that need short server timeouts or small limits, produced for real on a dedicated server, with TLS
 * off and on.
 */
@Timeout(90)
class ServerSettingCausesTest {

    @RegisterExtension
    static final MariaDbExtension SERVER = MariaDbExtension.dedicated(EmbeddedMariaDb.builder()
            .serverVariable("wait_timeout", 2)
            .serverVariable("connect_timeout", 2)
            .serverVariable("net_write_timeout", 2)
            .serverVariable("net_read_timeout", 2)
            .serverVariable("max_allowed_packet", 4 * 1024 * 1024)
            .serverVariable("max_connections", 12));

    /** Sessions that must not die of the server's short wait_timeout while they work. */
    private static final String PATIENT = "&sessionVariables=wait_timeout=600";

    @BeforeAll
    static void createBigTable() {
        SERVER.server().execute(
                "CREATE TABLE big (id INT PRIMARY KEY, payload VARCHAR(1000))",
                "INSERT INTO big SELECT seq, REPEAT('x', 1000) FROM seq_1_to_40000",
                "CREATE TABLE blobs (id INT PRIMARY KEY AUTO_INCREMENT, data LONGBLOB)");
    }

    private static EmbeddedMariaDb db() {
        return SERVER.server();
    }

    @ParameterizedTest(name = "TLS {0}")
    @ValueSource(booleans = {false, true})
    void idleConnectionClosedByWaitTimeoutIsIdleTimeout(boolean tls) throws Exception {
        try (Pools.Guarded guarded = Pools.guard(db(), Pools.url(db(), tls));
                Connection connection = guarded.dataSource().getConnection()) {
            execute(connection, "SELECT 1");
            Pools.idle(Duration.ofMillis(3500));

            Diagnosis diagnosis = diagnosisOf(() -> execute(connection, "SELECT 1"));

            assertThat(diagnosis.cause()).isEqualTo(Cause.IDLE_TIMEOUT);
            assertThat(diagnosis.phase()).isEqualTo(Phase.EXECUTE);
            assertThat(diagnosis.recommendation()).contains("wait_timeout (now 2 s)").contains("maxLifetime");
            assertThat(guarded.failures(Cause.IDLE_TIMEOUT, Phase.EXECUTE)).isEqualTo(1);
        }
    }

    @ParameterizedTest(name = "TLS {0}")
    @ValueSource(booleans = {false, true})
    void slowReaderOfAStreamedResultIsTransferTimeout(boolean tls) throws Exception {
        String url = Pools.url(db(), tls) + PATIENT + "&netTimeoutForStreamingResults=0";
        try (Pools.Guarded guarded = Pools.guard(db(), url);
                Connection connection = guarded.dataSource().getConnection();
                Statement statement = connection.createStatement()) {
            statement.setFetchSize(Integer.MIN_VALUE);
            Diagnosis diagnosis = diagnosisOf(() -> {
                try (ResultSet rows = statement.executeQuery("SELECT payload FROM big")) {
                    rows.next();
                    Pools.idle(Duration.ofSeconds(4)); // a slow consumer: the server cannot write for 4 s
                    while (rows.next()) {
                        rows.getString(1);
                    }
                }
            });

            assertThat(diagnosis.cause()).isEqualTo(Cause.TRANSFER_TIMEOUT);
            assertThat(diagnosis.phase()).isEqualTo(Phase.FETCH);
            assertThat(diagnosis.evidence()).contains("streamed result");
            assertThat(diagnosis.recommendation()).contains("netTimeoutForStreamingResults (now 0 s)")
                    .contains("net_write_timeout (now 2 s)");
        }
    }

    @ParameterizedTest(name = "TLS {0}")
    @ValueSource(booleans = {false, true})
    void largeStatementStalledMidTransferIsTransferTimeout(boolean tls) throws Exception {
        try (FaultProxy proxy = FaultProxy.start(db().host(), db().port());
                Pools.Guarded guarded = Pools.guard(db(), Pools.url(EmbeddedMariaDb.jdbcUrl(proxy.host(), proxy.port()), tls));
                Connection connection = guarded.dataSource().getConnection();
                PreparedStatement insert = connection.prepareStatement("INSERT INTO blobs (data) VALUES (?)")) {
            insert.setBytes(1, "a".repeat(1_500_000).getBytes(StandardCharsets.US_ASCII));
            proxy.blackholeAfter(Direction.CLIENT_TO_SERVER, 64 * 1024); // the path dies mid-statement

            Diagnosis diagnosis = diagnosisOf(insert::executeUpdate);

            assertThat(diagnosis.cause()).isEqualTo(Cause.TRANSFER_TIMEOUT);
            assertThat(diagnosis.phase()).isEqualTo(Phase.EXECUTE);
            assertThat(diagnosis.evidence()).contains("statement payload at least 1,500,000 bytes");
            assertThat(diagnosis.recommendation()).contains("net_read_timeout (now 2 s)")
                    .contains("wait_timeout (now 2 s)");
        }
    }

    @ParameterizedTest(name = "TLS {0}")
    @ValueSource(booleans = {false, true})
    void blobOverMaxAllowedPacketIsPacketTooLarge(boolean tls) throws Exception {
        try (Pools.Guarded guarded = Pools.guard(db(), Pools.url(db(), tls) + PATIENT);
                Connection connection = guarded.dataSource().getConnection();
                PreparedStatement insert = connection.prepareStatement("INSERT INTO blobs (data) VALUES (?)")) {
            insert.setBytes(1, new byte[8 * 1024 * 1024]);

            Diagnosis diagnosis = diagnosisOf(insert::executeUpdate);

            assertThat(diagnosis.cause()).isEqualTo(Cause.PACKET_TOO_LARGE);
            assertThat(diagnosis.phase()).isEqualTo(Phase.EXECUTE);
            assertThat(diagnosis.recommendation()).contains("max_allowed_packet (now 4194304)")
                    .contains("SET GLOBAL max_allowed_packet=18M"); // the driver escapes zero bytes: 16 MB
            execute(connection, "SELECT 1"); // nothing was sent: the connection still works
        }
    }

    @ParameterizedTest(name = "TLS {0}")
    @ValueSource(booleans = {false, true})
    void handshakeOutlivingConnectTimeoutIsConnectTimeout(boolean tls) throws Exception {
        try (FaultProxy proxy = FaultProxy.start(db().host(), db().port());
                Pools.Guarded guarded = Pools.guard(db(), Pools.url(EmbeddedMariaDb.jdbcUrl(proxy.host(), proxy.port()), tls) + PATIENT)) {
            proxy.delay(Direction.CLIENT_TO_SERVER, Duration.ofSeconds(3)); // the server waits for our auth packet

            Diagnosis diagnosis = diagnosisOf(() -> guarded.dataSource().getConnection().close());

            assertThat(diagnosis.cause()).isEqualTo(Cause.CONNECT_TIMEOUT);
            assertThat(diagnosis.phase()).isEqualTo(Phase.CONNECT);
            assertThat(diagnosis.recommendation()).contains("connect_timeout");
        }
    }

    @ParameterizedTest(name = "TLS {0}")
    @ValueSource(booleans = {false, true})
    void fullServerIsTooManyConnections(boolean tls) throws Exception {
        List<Connection> hogs = new ArrayList<>();
        try (Pools.Guarded guarded = Pools.guard(db(), Pools.url(db(), tls) + PATIENT)) {
            try {
                while (true) {
                    hogs.add(DriverManager.getConnection(db().jdbcUrl() + PATIENT, db().user(), db().password()));
                }
            } catch (SQLException full) {
                assertThat(full.getErrorCode()).isEqualTo(1040);
            }

            Diagnosis diagnosis = diagnosisOf(() -> guarded.dataSource().getConnection().close());

            assertThat(diagnosis.cause()).isEqualTo(Cause.TOO_MANY_CONNECTIONS);
            assertThat(diagnosis.phase()).isEqualTo(Phase.CONNECT);
            assertThat(diagnosis.recommendation()).contains("max_connections");
        } finally {
            for (Connection hog : hogs) {
                hog.close();
            }
        }
    }

    @ParameterizedTest(name = "TLS {0}")
    @ValueSource(booleans = {false, true})
    void anOperationWaitingForAFullServerGetsAConnectionSoonAfterASlotFrees(boolean tls) throws Exception {
        List<Connection> hogs = new ArrayList<>();
        try (Pools.Guarded guarded = Pools.guard(Pools.lazyHikari(db(), Pools.url(db(), tls) + PATIENT),
                builder -> builder)) {
            try {
                while (true) {
                    hogs.add(DriverManager.getConnection(db().jdbcUrl() + PATIENT, db().user(), db().password()));
                }
            } catch (SQLException full) {
                assertThat(full.getErrorCode()).isEqualTo(1040);
            }
            CompletableFuture<Long> firstRead = CompletableFuture.supplyAsync(() -> {
                try (Connection connection = guarded.dataSource().getConnection()) {
                    Pools.number(connection, "SELECT 1");
                    return System.nanoTime();
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            Pools.idle(Duration.ofMillis(1_500)); // the pool's refill waits in LinkGuard, the server refusing it
            hogs.remove(0).close();
            long freed = System.nanoTime();

            long waited = TimeUnit.NANOSECONDS.toMillis(firstRead.get(20, TimeUnit.SECONDS) - freed);

            // one reconnectInterval (400 ms, jittered by a quarter) at most, and the handshake
            assertThat(waited).as("ms from a slot freeing to the first read").isLessThan(1_200);
        } finally {
            for (Connection hog : hogs) {
                hog.close();
            }
        }
    }

    /** Reads a big streamed result slowly (the server cannot write for 4 s), as a slow consumer does. */
    private static void readSlowly(LinkGuardDataSource dataSource) throws SQLException {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            statement.setFetchSize(Integer.MIN_VALUE);
            try (ResultSet rows = statement.executeQuery("SELECT payload FROM big")) {
                rows.next();
                Pools.idle(Duration.ofSeconds(4));
                while (rows.next()) {
                    rows.getString(1);
                }
            }
        }
    }

    @ParameterizedTest(name = "remediation {0}, TLS {1}")
    @CsvSource({"true, false", "true, true", "false, false"})
    void aSlowReaderThatFailedOnceSucceedsTheSecondTimeWithRemediationOn(boolean remediation, boolean tls)
            throws Exception {
        String url = Pools.url(db(), tls) + PATIENT + "&netTimeoutForStreamingResults=0";
        try (Pools.Guarded guarded = Pools.guard(Pools.lazyHikari(db(), url),
                builder -> builder.maxAttempts(1).remediation(remediation))) {
            Diagnosis first = diagnosisOf(() -> readSlowly(guarded.dataSource()));
            assertThat(first.cause()).isEqualTo(Cause.TRANSFER_TIMEOUT);

            if (remediation) {
                readSlowly(guarded.dataSource()); // its session got net_write_timeout=60 for the read
                assertThat(guarded.dataSource().recentRemedies()).extracting(Remedy::action)
                        .containsExactly("raise-net-write-timeout");
                assertThat(guarded.registry().find("linkguard.remedies").tag("action", "raise-net-write-timeout")
                        .counter().count()).isEqualTo(1);
                try (Connection one = guarded.dataSource().getConnection();
                        Connection two = guarded.dataSource().getConnection()) { // the pool's two connections
                    assertThat(Pools.number(one, "SELECT @@session.net_write_timeout")).isEqualTo(2);
                    assertThat(Pools.number(two, "SELECT @@session.net_write_timeout")).isEqualTo(2);
                }
            } else {
                assertThat(diagnosisOf(() -> readSlowly(guarded.dataSource())).cause())
                        .isEqualTo(Cause.TRANSFER_TIMEOUT);
                assertThat(guarded.dataSource().recentRemedies()).isEmpty();
            }
        }
    }

    @ParameterizedTest(name = "remediation {0}, skipped {1}")
    @CsvSource({"true, false", "false, false", "true, true"})
    void anIdleTimeoutEvictsThePoolsIdleConnectionsWithRemediationOn(boolean on, boolean skipped) throws Exception {
        boolean remediation = on && !skipped;
        try (Pools.Guarded guarded = Pools.guard(Pools.hikari(db(), db().jdbcUrl()), builder -> builder.maxAttempts(1)
                .remediation(on).skipRemedies(skipped ? List.of("evict-idle-connections") : List.of()))) {
            HikariDataSource pool = guarded.dataSource().unwrap(HikariDataSource.class);
            try (Connection held = guarded.dataSource().getConnection()) {
                guarded.dataSource().getConnection().close(); // a second connection, idle in the pool
                assertThat(pool.getHikariPoolMXBean().getIdleConnections()).isEqualTo(1);
                Pools.idle(Duration.ofSeconds(3)); // both outlive the server's wait_timeout of 2 s

                assertThat(diagnosisOf(() -> execute(held, "SELECT 1")).cause()).isEqualTo(Cause.IDLE_TIMEOUT);

                assertThat(pool.getHikariPoolMXBean().getIdleConnections()).as("dead idle connections in the pool")
                        .isEqualTo(remediation ? 0 : 1);
                assertThat(guarded.dataSource().recentRemedies()).extracting(Remedy::action)
                        .isEqualTo(remediation ? List.of("evict-idle-connections") : List.of());
            }
        }
    }

    @Test
    @Timeout(60)
    void afterALargeStatementOutlivedNetReadTimeoutLargeValuesRaiseItForTheirSession() throws Exception {
        try (FaultProxy proxy = FaultProxy.start(db().host(), db().port());
                Pools.Guarded guarded = Pools.guard(db(), EmbeddedMariaDb.jdbcUrl(proxy.host(), proxy.port()))) {
            byte[] large = "a".repeat(1_500_000).getBytes(StandardCharsets.US_ASCII);
            try (Connection connection = guarded.dataSource().getConnection();
                    PreparedStatement insert = connection.prepareStatement("INSERT INTO blobs (data) VALUES (?)")) {
                insert.setBytes(1, large);
                proxy.blackholeAfter(Direction.CLIENT_TO_SERVER, 64 * 1024); // the path dies mid-statement
                assertThat(diagnosisOf(insert::executeUpdate).cause()).isEqualTo(Cause.TRANSFER_TIMEOUT);
            }
            proxy.heal();

            try (Connection connection = guarded.dataSource().getConnection();
                    PreparedStatement insert = connection.prepareStatement("INSERT INTO blobs (data) VALUES (?)")) {
                insert.setBytes(1, large); // a large value: its session gets a longer net_read_timeout first
                assertThat(Pools.number(connection, "SELECT @@session.net_read_timeout")).isEqualTo(60);
                assertThat(insert.executeUpdate()).isEqualTo(1);
            }
            assertThat(guarded.dataSource().recentRemedies()).extracting(Remedy::action)
                    .containsExactly("raise-net-read-timeout");
            try (Connection one = guarded.dataSource().getConnection();
                    Connection two = guarded.dataSource().getConnection()) { // the pool's two connections
                assertThat(Pools.number(one, "SELECT @@session.net_read_timeout")).isEqualTo(2);
                assertThat(Pools.number(two, "SELECT @@session.net_read_timeout")).isEqualTo(2);
            }
        }
    }
}
