package io.github.linkguard.internal.diagnosis;

import static io.github.linkguard.capture.Captured.load;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.linkguard.Cause;
import io.github.linkguard.Diagnosis;
import io.github.linkguard.Phase;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The decisions that need the server's evidence or the recorded activity, on exceptions captured from the
 * real driver (see {@code CaptureDriverExceptions}) and server readings as the probe makes them.
 */
class DiagnosticianTest {

    private static final ClientSettings DEFAULTS = new ClientSettings(0, 10_000, 600);

    @Test
    void aLinkLostRightAfterSendingMoreThanMaxAllowedPacketIsPacketTooLarge() throws Exception {
        ServerEvidence server = ServerEvidence.read(Map.of("max_allowed_packet", 4_194_304L), Map.of(), null);
        Activity sentFiveMegabytes = new Activity(Phase.EXECUTE, 40, 60_000, 5_000_000, false, DEFAULTS);

        Diagnosis diagnosis = diagnose("dropped-link", sentFiveMegabytes, server);

        assertThat(diagnosis.cause()).isEqualTo(Cause.PACKET_TOO_LARGE);
        assertThat(diagnosis.evidence()).contains("the link broke right after sending 5,000,000 bytes, over "
                + "max_allowed_packet 4,194,304 bytes");
        assertThat(diagnosis.recommendation()).contains("(now 4194304)").contains("SET GLOBAL max_allowed_packet=6M");
    }

    @Test
    void aRisingAbortedConnectsConfirmsAHandshakeTimeout() throws Exception {
        ServerEvidence before = ServerEvidence.read(Map.of("connect_timeout", 10L),
                Map.of("aborted_connects", 7L, "uptime", 5_000L), null);
        ServerEvidence now = ServerEvidence.read(Map.of("connect_timeout", 10L),
                Map.of("aborted_connects", 9L, "uptime", 5_030L), before);
        Activity quickConnect = new Activity(Phase.CONNECT, 300, -1, 0, false, DEFAULTS);

        Diagnosis diagnosis = diagnose("handshake-cut-by-connect-timeout", quickConnect, now);

        assertThat(diagnosis.cause()).isEqualTo(Cause.CONNECT_TIMEOUT);
        assertThat(diagnosis.evidence()).contains("Aborted_connects rose by 2");
        assertThat(diagnosis.recommendation()).contains("connect_timeout (now 10 s)");
    }

    @Test
    void aHandshakeClosedQuicklyWithoutAbortedConnectsIsTheNetwork() throws Exception {
        ServerEvidence before = ServerEvidence.read(Map.of("connect_timeout", 10L),
                Map.of("aborted_connects", 7L, "uptime", 5_000L), null);
        ServerEvidence now = ServerEvidence.read(Map.of("connect_timeout", 10L),
                Map.of("aborted_connects", 7L, "uptime", 5_030L), before);

        Diagnosis diagnosis = diagnose("handshake-cut-by-connect-timeout", new Activity(Phase.CONNECT, 300, -1, 0, false, DEFAULTS),
                now);

        assertThat(diagnosis.cause()).isEqualTo(Cause.NETWORK);
    }

    @Test
    void aServerThatBootedSinceThePreviousReadingRestarted() throws Exception {
        ServerEvidence before = ServerEvidence.read(Map.of(), Map.of("uptime", 86_400L), null);
        ServerEvidence now = ServerEvidence.read(Map.of(), Map.of("uptime", 40L), before);
        Activity youngLink = new Activity(Phase.EXECUTE, 20, 10_000, 0, false, DEFAULTS);

        Diagnosis diagnosis = diagnose("dropped-link", youngLink, now);

        assertThat(diagnosis.cause()).isEqualTo(Cause.SERVER_RESTART);
    }

    @Test
    void aStreamedFetchFailingBeforeNetWriteTimeoutIsNotATransferTimeout() throws Exception {
        ServerEvidence server = ServerEvidence.read(Map.of("net_write_timeout", 60L), Map.of("uptime", 86_400L), null);
        Activity quickFetch = new Activity(Phase.FETCH, 2_000, 3_000, 0, true, new ClientSettings(0, 0, 0));

        Diagnosis diagnosis = diagnose("streaming-net-write-timeout", quickFetch, server);

        assertThat(diagnosis.cause()).isEqualTo(Cause.NETWORK);
    }

    private static Diagnosis diagnose(String captured, Activity activity, ServerEvidence server) throws Exception {
        return Diagnostician.diagnose("orders", ExceptionEvidence.of(load(captured)), activity, server);
    }
}
