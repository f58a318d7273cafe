package io.github.linkguard;

import static io.github.linkguard.Pools.diagnosisOf;
import static io.github.linkguard.Pools.execute;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.linkguard.testkit.EmbeddedMariaDb;
import io.github.linkguard.testkit.FaultProxy;
import io.github.linkguard.testkit.MariaDbExtension;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Causes produced for real on the shared server, through the fault proxy where the network is involved, with
 * TLS off and on (Connector/J negotiates it by default, so most production links are encrypted).
 */
@ExtendWith(MariaDbExtension.class)
@Timeout(60)
class SharedServerCausesTest {

    @ParameterizedTest(name = "TLS {0}")
    @ValueSource(booleans = {false, true})
    void droppedLinkIsNetwork(boolean tls, EmbeddedMariaDb db) throws Exception {
        try (FaultProxy proxy = FaultProxy.start(db.host(), db.port());
                Pools.Guarded guarded = Pools.guard(db, Pools.url(EmbeddedMariaDb.jdbcUrl(proxy.host(), proxy.port()), tls));
                Connection connection = guarded.dataSource().getConnection()) {
            execute(connection, "SELECT 1");
            proxy.dropAll();

            Diagnosis diagnosis = diagnosisOf(() -> execute(connection, "SELECT 1"));

            assertThat(diagnosis.cause()).isEqualTo(Cause.NETWORK);
            assertThat(diagnosis.phase()).isEqualTo(Phase.EXECUTE);
            assertThat(diagnosis.evidence()).contains("the server was reachable right after");
            assertThat(diagnosis.toString()).contains("keepaliveTime");
            assertThat(guarded.failures(Cause.NETWORK, Phase.EXECUTE)).isEqualTo(1);
            assertThat(guarded.notRetried(Cause.NETWORK)).isEqualTo(1);
        }
    }

    @ParameterizedTest(name = "TLS {0}")
    @ValueSource(booleans = {false, true})
    void refusedConnectIsServerUnreachable(boolean tls, EmbeddedMariaDb db) throws Exception {
        try (FaultProxy proxy = FaultProxy.start(db.host(), db.port());
                Pools.Guarded guarded = Pools.guard(db, Pools.url(EmbeddedMariaDb.jdbcUrl(proxy.host(), proxy.port()), tls))) {
            proxy.refuse(true);

            Diagnosis diagnosis = diagnosisOf(() -> guarded.dataSource().getConnection().close());

            assertThat(diagnosis.cause()).isEqualTo(Cause.SERVER_UNREACHABLE);
            assertThat(diagnosis.phase()).isEqualTo(Phase.CONNECT);
            assertThat(guarded.failures(Cause.SERVER_UNREACHABLE, Phase.CONNECT)).isEqualTo(1);
        }
    }

    @ParameterizedTest(name = "TLS {0}")
    @ValueSource(booleans = {false, true})
    void blackholedHandshakeBehindHikariIsConnectTimeout(boolean tls, EmbeddedMariaDb db) throws Exception {
        try (FaultProxy proxy = FaultProxy.start(db.host(), db.port());
                Pools.Guarded guarded = Pools.guard(db, Pools.url(EmbeddedMariaDb.jdbcUrl(proxy.host(), proxy.port()), tls))) {
            proxy.blackhole(true);

            Diagnosis diagnosis = diagnosisOf(() -> guarded.dataSource().getConnection().close());

            assertThat(diagnosis.cause()).isEqualTo(Cause.CONNECT_TIMEOUT);
            assertThat(diagnosis.phase()).isEqualTo(Phase.CONNECT);
            assertThat(diagnosis.recommendation()).contains("socketTimeout").contains("connect_timeout");
        }
    }

    @ParameterizedTest(name = "TLS {0}")
    @ValueSource(booleans = {false, true})
    void killStormIsConnectionKilled(boolean tls, EmbeddedMariaDb db) throws Exception {
        try (Pools.Guarded guarded = Pools.guard(db, Pools.url(db, tls))) {
            // MariaDB closes a killed session without an error packet: the exception alone looks like a
            // dropped link. The server's Com_kill counter tells, once LinkGuard has an earlier reading.
            killWhileRunning(db, guarded.dataSource());
            Pools.idle(Duration.ofMillis(1200)); // past the probe's cache

            Diagnosis diagnosis = killWhileRunning(db, guarded.dataSource());

            assertThat(diagnosis.cause()).isEqualTo(Cause.CONNECTION_KILLED);
            assertThat(diagnosis.phase()).isEqualTo(Phase.EXECUTE);
            assertThat(diagnosis.evidence()).contains("Com_kill rose by 1 since the last reading");
            assertThat(guarded.failures(Cause.CONNECTION_KILLED, Phase.EXECUTE)).isEqualTo(1);
        }
    }

    private static Diagnosis killWhileRunning(EmbeddedMariaDb db, LinkGuardDataSource dataSource) throws Exception {
        try (Connection connection = dataSource.getConnection()) {
            long id;
            try (Statement statement = connection.createStatement();
                    ResultSet rs = statement.executeQuery("SELECT CONNECTION_ID()")) {
                rs.next();
                id = rs.getLong(1);
            }
            CompletableFuture<Void> killer = CompletableFuture.runAsync(() -> {
                Pools.idle(Duration.ofMillis(300));
                db.execute("KILL CONNECTION " + id);
            });
            Diagnosis diagnosis = diagnosisOf(() -> execute(connection, "SELECT SLEEP(10)"));
            killer.join();
            return diagnosis;
        }
    }

    @ParameterizedTest(name = "TLS {0}")
    @ValueSource(booleans = {false, true})
    void clientSocketTimeoutIsSocketTimeout(boolean tls, EmbeddedMariaDb db) throws Exception {
        try (Pools.Guarded guarded = Pools.guard(db, Pools.url(db, tls) + "&socketTimeout=1000");
                Connection connection = guarded.dataSource().getConnection()) {
            Diagnosis diagnosis = diagnosisOf(() -> execute(connection, "SELECT SLEEP(3)"));

            assertThat(diagnosis.cause()).isEqualTo(Cause.SOCKET_TIMEOUT);
            assertThat(diagnosis.recommendation()).contains("socketTimeout (now 1000 ms)");
        }
    }

    @Test
    void untrustedServerCertificateIsUnknownWithTheTlsSettingsNamed(EmbeddedMariaDb db) throws Exception {
        try (Pools.Guarded guarded = Pools.guard(db, db.jdbcUrl().replace("sslMode=DISABLED", "sslMode=VERIFY_CA"))) {
            Diagnosis diagnosis = diagnosisOf(() -> guarded.dataSource().getConnection().close());

            assertThat(diagnosis.cause()).isEqualTo(Cause.UNKNOWN);
            assertThat(diagnosis.phase()).isEqualTo(Phase.CONNECT);
            assertThat(diagnosis.summary()).contains("TLS");
            assertThat(diagnosis.recommendation()).contains("sslMode");
            assertThat(guarded.failures(Cause.UNKNOWN, Phase.CONNECT)).isEqualTo(1);
        }
    }
}
