package io.github.linkguard;

import static io.github.linkguard.capture.Captured.load;
import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Diagnosis#of(Throwable)} on exceptions that never went through LinkGuard: those captured from the
 * real driver and pool ({@code captured/}, made by {@code CaptureDriverExceptions}), and the texts other
 * MySQL clients and proxies relay, diagnosed as the MySQL manual says.
 */
class DiagnosisOfTest {

    static Stream<Arguments> captured() {
        return Stream.of(
                Arguments.of("dropped-link", Cause.NETWORK, Phase.EXECUTE),
                Arguments.of("refused-connect", Cause.SERVER_UNREACHABLE, Phase.CONNECT),
                Arguments.of("socket-timeout", Cause.SOCKET_TIMEOUT, Phase.EXECUTE),
                Arguments.of("blackholed-handshake-socket-timeout", Cause.CONNECT_TIMEOUT, Phase.CONNECT),
                Arguments.of("handshake-cut-by-connect-timeout", Cause.NETWORK, Phase.CONNECT),
                Arguments.of("wait-timeout", Cause.IDLE_TIMEOUT, Phase.EXECUTE),
                Arguments.of("packet-too-large-client", Cause.PACKET_TOO_LARGE, Phase.EXECUTE),
                Arguments.of("streaming-net-write-timeout", Cause.TRANSFER_TIMEOUT, Phase.FETCH),
                Arguments.of("kill-query-1317", Cause.CONNECTION_KILLED, Phase.EXECUTE),
                Arguments.of("commit-link-lost", Cause.NETWORK, Phase.EXECUTE),
                Arguments.of("too-many-connections-1040", Cause.TOO_MANY_CONNECTIONS, Phase.CONNECT),
                Arguments.of("hikari-refused", Cause.SERVER_UNREACHABLE, Phase.CONNECT),
                Arguments.of("hikari-blackholed-handshake", Cause.CONNECT_TIMEOUT, Phase.CONNECT));
    }

    /**
     * The same failures with TLS on (sslMode=REQUIRED, as Connector/J negotiates by default): the same verdicts,
     * but one. A handshake the server's connect_timeout cuts shows without TLS as a reset (the network, until the
     * server's Aborted_connects says more); with TLS, Connector/J's own TLS handshake read times out first,
     * which names the cause outright.
     */
    static Stream<Arguments> capturedWithTls() {
        return captured().map(row -> Arguments.of(row.get()[0] + "-tls",
                row.get()[0].equals("handshake-cut-by-connect-timeout") ? Cause.CONNECT_TIMEOUT : row.get()[1],
                row.get()[2]));
    }

    /**
     * What only TLS has: a link cut in the middle of the TLS handshake is the link's failure (it was taken for a
     * certificate problem, which sent users to fix certificates that were fine); a trust store without the
     * server's certificate, full verification of a self-signed certificate and TLS required by the server but
     * disabled by the client are TLS configuration failures.
     */
    static Stream<Arguments> tlsOnly() {
        return Stream.of(
                Arguments.of("tls-handshake-cut", Cause.NETWORK, Phase.CONNECT),
                Arguments.of("tls-untrusted-server-certificate", Cause.UNKNOWN, Phase.CONNECT),
                Arguments.of("tls-verify-identity-self-signed", Cause.UNKNOWN, Phase.CONNECT),
                Arguments.of("tls-required-by-server", Cause.UNKNOWN, Phase.CONNECT));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource({"captured", "capturedWithTls", "tlsOnly"})
    void capturedDriverExceptions(String name, Cause cause, Phase phase) throws Exception {
        Throwable failure = load(name);

        Diagnosis diagnosis = Diagnosis.of(failure).orElseThrow();

        assertThat(diagnosis.cause()).isEqualTo(cause);
        assertThat(diagnosis.phase()).isEqualTo(phase);
        assertThat(diagnosis.dataSource()).isNull();
        assertThat(diagnosis.toString()).startsWith("Lost link, cause " + cause.id()).doesNotContain("\n");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "tls-untrusted-server-certificate|TLS failed between client and server|trust store",
        "tls-verify-identity-self-signed|TLS failed between client and server|trust store",
        "tls-required-by-server|The server requires TLS (require_secure_transport=ON)|sslMode=REQUIRED"})
    void tlsConfigurationFailuresSayWhatToFix(String name, String summary, String recommendation) throws Exception {
        Diagnosis diagnosis = Diagnosis.of(load(name)).orElseThrow();

        assertThat(diagnosis.summary()).startsWith(summary);
        assertThat(diagnosis.recommendation()).contains(recommendation);
    }

    @ParameterizedTest(name = "{0} -> {3}")
    @CsvSource(delimiter = '|', value = {
        "Lost connection to MySQL server during query|HY000|2013|network|execute",
        "Lost connection to MySQL server at 'reading authorization packet', system error: 0|HY000|2013|connect-timeout|connect",
        "Lost connection to MySQL server at 'reading initial communication packet', system error: 0|HY000|2013|connect-timeout|connect",
        "Got a packet bigger than 'max_allowed_packet' bytes|08S01|1153|packet-too-large|execute",
        "MySQL server has gone away|HY000|2006|idle-timeout|execute",
        "Too many connections|08004|1040|too-many-connections|connect",
        // MySQL 8.0.24+ (not runnable here: no MySQL server can be installed), its manual's and errmsg text;
        // as a server error (4031), and as Connector/J surfaces it, code lost, inside a link failure
        "The client was disconnected by the server because of inactivity. See wait_timeout and interactive_timeout for configuring this behavior.|HY000|4031|idle-timeout|execute",
        "Communications link failure. The client was disconnected by the server because of inactivity. See wait_timeout and interactive_timeout for configuring this behavior.|08S01|0|idle-timeout|execute",
    })
    void textsRelayedByOtherClientsAndProxies(String message, String sqlState, int code, String cause, String phase) {
        SQLException relayed = new SQLException(message, sqlState, code);

        Diagnosis diagnosis = Diagnosis.of(new RuntimeException("could not execute statement", relayed)).orElseThrow();

        assertThat(diagnosis.cause().id()).isEqualTo(cause);
        assertThat(diagnosis.phase().id()).isEqualTo(phase);
    }

    @Test
    void seedTextsAreRecognisedWithoutCodesToo() {
        assertThat(Diagnosis.of(new SQLException("ERROR 2013 (HY000): Lost connection to MySQL server at "
                + "'reading authorization packet', system error: 0")).orElseThrow().cause())
                .isEqualTo(Cause.CONNECT_TIMEOUT);
        assertThat(Diagnosis.of(new SQLException("General error: 2006 MySQL server has gone away")).orElseThrow()
                .cause()).isEqualTo(Cause.IDLE_TIMEOUT);
    }

    @Test
    void findsALinkFailureBehindAPoolExceptionsNextException() throws Exception {
        SQLTransientConnectionException pool = new SQLTransientConnectionException("pool gave up");
        pool.setNextException((SQLException) load("refused-connect"));

        assertThat(Diagnosis.of(pool)).map(Diagnosis::cause).contains(Cause.SERVER_UNREACHABLE);
    }

    @Test
    void ordinarySqlErrorsHaveNoDiagnosis() {
        assertThat(Diagnosis.of(new SQLException("Duplicate entry '1' for key 'PRIMARY'", "23000", 1062))).isEmpty();
        assertThat(Diagnosis.of(new SQLException("Deadlock found", "40001", 1213))).isEmpty();
        assertThat(Diagnosis.of(new SQLException("No operations allowed after connection closed.", "08003")))
                .isEmpty();
        assertThat(Diagnosis.of(new IllegalStateException("not JDBC at all"))).isEmpty();
        assertThat(Diagnosis.of(null)).isEmpty();
    }

    @Test
    void anAttachedDiagnosisIsFoundThroughWrappers() throws Exception {
        SQLException failure = (SQLException) load("dropped-link");
        Diagnosis attached = new Diagnosis("orders", Cause.SERVER_RESTART, Phase.COMMIT, "The server restarted.",
                java.util.List.of("server Uptime 3 s"), "nothing to tune");
        attached.attachTo(failure);

        Optional<Diagnosis> found = Diagnosis.of(new RuntimeException(new RuntimeException(failure)));

        assertThat(found).containsSame(attached);
        assertThat(failure.getSQLState()).isEqualTo("08S01");
        assertThat(failure.getSuppressed()[0]).isInstanceOf(LostLinkDiagnosis.class)
                .hasMessage(attached.toString());
    }

    @Test
    void theParagraphNamesCauseEvidenceAndSetting() throws Exception {
        Diagnosis diagnosis = Diagnosis.of(load("wait-timeout")).orElseThrow();

        assertThat(diagnosis.toString())
                .contains("cause idle-timeout, phase execute")
                .contains("Evidence: SQLState 08S01")
                .containsPattern("last packet received 35\\d\\d ms ago")
                .contains("What to change: keep pooled connections younger than the server's wait_timeout");
    }
}
