package io.github.linkguard;

import static io.github.linkguard.Pools.diagnosisOf;
import static io.github.linkguard.Pools.execute;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.linkguard.testkit.EmbeddedMariaDb;
import io.github.linkguard.testkit.MariaDbExtension;
import java.sql.Connection;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A server that goes away under open links, gracefully or killed, on a server of its own; TLS off and on. */
@Timeout(120)
class ServerRestartTest {

    @RegisterExtension
    static final MariaDbExtension SERVER = MariaDbExtension.dedicated(EmbeddedMariaDb.builder());

    @ParameterizedTest(name = "TLS {0}")
    @ValueSource(booleans = {false, true})
    void restartUnderAnOpenLinkIsServerRestart(boolean tls) throws Exception {
        EmbeddedMariaDb db = SERVER.server();
        try (Pools.Guarded guarded = Pools.guard(db, Pools.url(db, tls));
                Connection connection = guarded.dataSource().getConnection()) {
            execute(connection, "SELECT 1");
            db.restart();

            Diagnosis diagnosis = diagnosisOf(() -> execute(connection, "SELECT 1"));

            assertThat(diagnosis.cause()).isEqualTo(Cause.SERVER_RESTART);
            assertThat(diagnosis.phase()).isEqualTo(Phase.EXECUTE);
            assertThat(diagnosis.evidence()).anyMatch(line -> line.startsWith("server Uptime"));
            assertThat(guarded.failures(Cause.SERVER_RESTART, Phase.EXECUTE)).isEqualTo(1);
        }
    }

    @ParameterizedTest(name = "TLS {0}")
    @ValueSource(booleans = {false, true})
    void killedServerIsServerRestartWhileItIsDown(boolean tls) throws Exception {
        EmbeddedMariaDb db = SERVER.server();
        try (Pools.Guarded guarded = Pools.guard(db, Pools.url(db, tls));
                Connection connection = guarded.dataSource().getConnection()) {
            execute(connection, "SELECT 1");
            db.kill();
            try {
                Diagnosis diagnosis = diagnosisOf(() -> execute(connection, "SELECT 1"));

                assertThat(diagnosis.cause()).isEqualTo(Cause.SERVER_RESTART);
                assertThat(diagnosis.evidence()).contains("the server refuses new connections now");
            } finally {
                db.start();
            }
        }
    }
}
