package io.github.linkguard;

import static io.github.linkguard.Pools.diagnosisOf;
import static io.github.linkguard.Pools.execute;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mysql.cj.jdbc.JdbcConnection;
import com.zaxxer.hikari.HikariDataSource;
import io.github.linkguard.testkit.EmbeddedMariaDb;
import io.github.linkguard.testkit.FaultProxy;
import io.github.linkguard.testkit.MariaDbExtension;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.sql.SQLSyntaxErrorException;
import java.sql.SQLTimeoutException;
import java.sql.Statement;
import java.util.Set;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The wrapper itself: every JDBC object is ours, leads back to ours, unwraps to the delegate, costs no extras. */
@ExtendWith(MariaDbExtension.class)
@Timeout(60)
class WrapperTest {

    @BeforeAll
    static void createTable(EmbeddedMariaDb db) {
        db.execute("CREATE TABLE IF NOT EXISTS items (id INT PRIMARY KEY AUTO_INCREMENT, name VARCHAR(20))",
                "CREATE PROCEDURE IF NOT EXISTS item_count(OUT n INT) SELECT COUNT(*) INTO n FROM items");
    }

    @Test
    void everyObjectLeadsBackToTheApplicationsConnection(EmbeddedMariaDb db) throws Exception {
        try (Pools.Guarded guarded = Pools.guard(db, db.jdbcUrl());
                Connection connection = guarded.dataSource().getConnection()) {
            try (Statement statement = connection.createStatement()) {
                assertThat(statement.getConnection()).isSameAs(connection);
                statement.executeUpdate("INSERT INTO items (name) VALUES ('a')", Statement.RETURN_GENERATED_KEYS);
                try (ResultSet keys = statement.getGeneratedKeys()) {
                    assertThat(keys.getStatement()).isSameAs(statement);
                    assertThat(keys.next()).isTrue();
                }
                assertThat(statement.execute("SELECT name FROM items")).isTrue();
                try (ResultSet rows = statement.getResultSet()) {
                    assertThat(rows.getStatement()).isSameAs(statement);
                    assertThat(rows.next()).isTrue();
                }
            }
            try (PreparedStatement select = connection.prepareStatement("SELECT name FROM items WHERE id > ?")) {
                select.setInt(1, 0);
                assertThat(select.getConnection()).isSameAs(connection);
                try (ResultSet rows = select.executeQuery()) {
                    assertThat(rows.getStatement()).isSameAs(select);
                }
            }
            try (CallableStatement call = connection.prepareCall("{call item_count(?)}")) {
                call.registerOutParameter(1, java.sql.Types.INTEGER);
                call.execute();
                assertThat(call.getInt(1)).isPositive();
                assertThat(call.getConnection()).isSameAs(connection);
            }
            DatabaseMetaData metaData = connection.getMetaData();
            assertThat(metaData.getConnection()).isSameAs(connection);
            try (ResultSet tables = metaData.getTables(null, null, "items", null)) {
                assertThat(tables.next()).isTrue();
            }
        }
    }

    @Test
    void aMetadataCallOnALostLinkIsDiagnosedAndItsResultsAreGuarded(EmbeddedMariaDb db) throws Exception {
        try (Pools.Guarded guarded = Pools.guard(db, db.jdbcUrl());
                Connection connection = guarded.dataSource().getConnection()) {
            DatabaseMetaData metaData = connection.getMetaData();
            try (ResultSet tables = metaData.getTables(null, null, "items", null)) {
                assertThat(tables.getClass().getPackageName()).isEqualTo("io.github.linkguard.internal.jdbc");
            }
            db.execute("KILL CONNECTION " + Pools.number(connection, "SELECT CONNECTION_ID()"));
            assertThatThrownBy(() -> metaData.getTables(null, null, "items", null)).isInstanceOf(SQLException.class)
                    .satisfies(e -> assertThat(Diagnosis.of(e).map(Diagnosis::dataSource))
                            .contains(guarded.dataSource().name()));
        }
    }

    @Test
    void unwrapReachesThePoolAndTheDriver(EmbeddedMariaDb db) throws Exception {
        try (Pools.Guarded guarded = Pools.guard(db, db.jdbcUrl());
                Connection connection = guarded.dataSource().getConnection()) {
            DataSource dataSource = guarded.dataSource();
            assertThat(dataSource.isWrapperFor(HikariDataSource.class)).isTrue();
            assertThat(dataSource.unwrap(HikariDataSource.class).getPoolName()).startsWith("test-");
            assertThat(dataSource.unwrap(LinkGuardDataSource.class)).isSameAs(dataSource);
            assertThat(connection.isWrapperFor(JdbcConnection.class)).isTrue();
            assertThat(connection.unwrap(JdbcConnection.class).getServerVersion().toString()).startsWith("11.4");
            assertThatThrownBy(() -> connection.unwrap(String.class)).isInstanceOf(SQLException.class);
        }
    }

    @Test
    void ordinarySqlErrorsPassUntouched(EmbeddedMariaDb db) throws Exception {
        try (Pools.Guarded guarded = Pools.guard(db, db.jdbcUrl());
                Connection connection = guarded.dataSource().getConnection();
                Statement statement = connection.createStatement()) {
            assertThatThrownBy(() -> statement.execute("SELEC 1"))
                    .isInstanceOf(SQLSyntaxErrorException.class)
                    .satisfies(e -> assertThat(e.getSuppressed()).isEmpty());
            statement.execute("INSERT INTO items (id, name) VALUES (1000, 'x') ON DUPLICATE KEY UPDATE name = 'x'");
            assertThatThrownBy(() -> statement.execute("INSERT INTO items (id, name) VALUES (1000, 'y')"))
                    .isInstanceOf(SQLIntegrityConstraintViolationException.class)
                    .satisfies(e -> assertThat(((SQLException) e).getErrorCode()).isEqualTo(1062))
                    .satisfies(e -> assertThat(Diagnosis.of(e)).isEmpty());
            statement.setQueryTimeout(1);
            assertThatThrownBy(() -> statement.execute("SELECT SLEEP(3)"))
                    .isInstanceOf(SQLTimeoutException.class)
                    .satisfies(e -> assertThat(Diagnosis.of(e)).isEmpty());
            assertThat(guarded.registry().getMeters()).extracting(meter -> meter.getId().getName())
                    .containsOnly("linkguard.server.back", "linkguard.replays"); // registered at once
            assertNothingCounted(guarded);
        }
    }

    @Test
    void aLostLinkKeepsItsExceptionAndCarriesOneDiagnosisOneLogLineAndNoSecrets(EmbeddedMariaDb db) throws Exception {
        PrintStream originalErr = System.err;
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (FaultProxy proxy = FaultProxy.start(db.host(), db.port());
                Pools.Guarded guarded = Pools.guard(db, EmbeddedMariaDb.jdbcUrl(proxy.host(), proxy.port()));
                Connection connection = guarded.dataSource().getConnection()) {
            execute(connection, "SELECT 1");
            proxy.dropAll();
            SQLException failure;
            System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
            try (Statement statement = connection.createStatement()) {
                statement.execute("SELECT 1");
                throw new AssertionError("the link should be lost");
            } catch (SQLException e) {
                failure = e;
            } finally {
                System.setErr(originalErr);
            }

            assertThat(failure.getClass().getName()).isEqualTo("com.mysql.cj.jdbc.exceptions.CommunicationsException");
            assertThat(failure.getSQLState()).isEqualTo("08S01");
            assertThat(failure.getSuppressed()).hasSize(1).allMatch(LostLinkDiagnosis.class::isInstance);
            String text = Diagnosis.of(failure).orElseThrow().toString();
            assertThat(text).contains("[test]").doesNotContain(db.password()).doesNotContain("jdbc:")
                    .doesNotContain("SELECT");
            String warnings = log.toString(StandardCharsets.UTF_8);
            assertThat(warnings.lines().filter(line -> line.contains("WARN io.github.linkguard.LinkGuard")))
                    .hasSize(1).allMatch(line -> line.contains(text));
        }
    }

    @Test
    void theHappyPathMakesNoExtraRoundTripAndRegistersNothing(EmbeddedMariaDb db) throws Exception {
        try (Pools.Guarded guarded = Pools.guard(db, db.jdbcUrl())) {
            Set<Thread> probesBefore = probeThreads();
            long before = showCommands(db);
            for (int i = 0; i < 20; i++) {
                try (Connection connection = guarded.dataSource().getConnection();
                        PreparedStatement select = connection.prepareStatement("SELECT name FROM items WHERE id > ?")) {
                    select.setInt(1, i);
                    try (ResultSet rows = select.executeQuery()) {
                        while (rows.next()) {
                            rows.getString(1);
                        }
                    }
                }
            }
            assertThat(showCommands(db)).isEqualTo(before);
            assertThat(guarded.registry().getMeters()).extracting(meter -> meter.getId().getName())
                    .containsOnly("linkguard.server.back", "linkguard.replays"); // registered at once
            assertNothingCounted(guarded);
            assertThat(probeThreads()).isSubsetOf(probesBefore);
        }
    }

    @Test
    void metersAreRegisteredOncePerTagSet(EmbeddedMariaDb db) throws Exception {
        try (FaultProxy proxy = FaultProxy.start(db.host(), db.port());
                Pools.Guarded guarded = Pools.guard(db, EmbeddedMariaDb.jdbcUrl(proxy.host(), proxy.port()))) {
            for (int i = 0; i < 2; i++) {
                try (Connection connection = guarded.dataSource().getConnection()) {
                    execute(connection, "SELECT 1");
                    proxy.dropAll();
                    diagnosisOf(() -> execute(connection, "SELECT 1"));
                }
            }
            assertThat(guarded.registry().find("linkguard.failures").counters()).hasSize(1);
            assertThat(guarded.failures(Cause.NETWORK, Phase.EXECUTE)).isEqualTo(2);
            assertThat(guarded.registry().find("linkguard.retries").counters()).hasSize(1);
            assertThat(guarded.notRetried(Cause.NETWORK)).isEqualTo(2);
            assertThat(guarded.dataSource().recentIncidents()).hasSize(2).allSatisfy(incident -> {
                assertThat(incident.dataSource()).isEqualTo("test");
                assertThat(incident.cause()).isEqualTo(Cause.NETWORK);
                assertThat(incident.phase()).isEqualTo(Phase.EXECUTE);
                assertThat(incident.outcome()).isEqualTo("not-retried");
                assertThat(incident.recommendation()).isNotBlank();
            });
        }
    }

    @Test
    void theServerCanBeReadForHealthChecksWithNumbersOnly(EmbeddedMariaDb db) throws Exception {
        try (Pools.Guarded guarded = Pools.guard(db, db.jdbcUrl())) {
            assertThat(guarded.dataSource().lastServerReading()).isEmpty();

            ServerReading reading = guarded.dataSource().readServer().orElseThrow();

            assertThat(reading.reachable()).isTrue();
            assertThat(reading.problem()).isNull();
            assertThat(reading.values()).containsKeys("wait_timeout", "max_allowed_packet", "uptime", "aborted_connects");
            assertThat(guarded.dataSource().lastServerReading()).contains(reading);
        }
    }

    @Test
    void closeClosesThePool(EmbeddedMariaDb db) throws Exception {
        Pools.Guarded guarded = Pools.guard(db, db.jdbcUrl());
        HikariDataSource pool = guarded.dataSource().unwrap(HikariDataSource.class);
        guarded.close();
        assertThat(pool.isClosed()).isTrue();
    }

    @Test
    void closeIsIdempotentAndLeavesThePoolToItsOwnerWhenTold(EmbeddedMariaDb db) throws Exception {
        try (HikariDataSource pool = Pools.hikari(db, db.jdbcUrl())) {
            LinkGuardDataSource guarded = LinkGuardDataSource.builder(pool).closesDelegate(false).build();
            guarded.close();
            guarded.close();

            assertThat(guarded.isClosed()).isTrue();
            assertThat(pool.isClosed()).isFalse();
        }
    }

    @Test
    void builderRejectsBadConfiguration(EmbeddedMariaDb db) throws Exception {
        try (Pools.Guarded guarded = Pools.guard(db, db.jdbcUrl())) {
            assertThatThrownBy(() -> LinkGuardDataSource.builder(null)).isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> LinkGuardDataSource.builder(guarded.dataSource()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already guarded");
            LinkGuardDataSource.Builder builder = LinkGuardDataSource.builder(
                    guarded.dataSource().unwrap(HikariDataSource.class));
            assertThatThrownBy(() -> builder.name(" ")).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> builder.connectTimeout(java.time.Duration.ofSeconds(-1)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("connectTimeout");
            assertThatThrownBy(() -> builder.probeTimeout(null)).isInstanceOf(NullPointerException.class);
        }
    }

    private static Set<Thread> probeThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.getName().startsWith("linkguard-probe"))
                .collect(Collectors.toSet());
    }

    /** SHOW statements the server ran so far: LinkGuard's probe runs two; the happy path must run none. */
    private static long showCommands(EmbeddedMariaDb db) throws SQLException {
        try (Connection admin = db.adminConnection(); Statement statement = admin.createStatement();
                ResultSet rows = statement.executeQuery("SELECT SUM(VARIABLE_VALUE) FROM information_schema.GLOBAL_STATUS "
                        + "WHERE VARIABLE_NAME IN ('COM_SHOW_STATUS', 'COM_SHOW_VARIABLES')")) {
            rows.next();
            return rows.getLong(1);
        }
    }

    /** The meters registered at once (so that dashboards show "none yet") counted nothing. */
    private static void assertNothingCounted(Pools.Guarded guarded) {
        assertThat(guarded.registry().get("linkguard.server.back").timer().count()).isZero();
        assertThat(guarded.registry().find("linkguard.replays").counters())
                .allSatisfy(counter -> assertThat(counter.count()).isZero());
    }
}
