package io.github.linkguard.internal.retry;

import static io.github.linkguard.capture.Captured.load;
import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Which failures of LinkGuard's own statements on a fresh link (a replay, a COMMIT's marker, a session's
 * restore) mean that link is gone too, so that another fresh link is tried, on exceptions captured from the
 * real driver.
 */
class RetryPolicyTest {

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource({
            "dropped-link, true",
            "dropped-link-tls, true",
            "commit-link-lost, true",
            "wait-timeout, true",
            "socket-timeout, true",
            // a KILL ends what the session runs: the link is let go (MySQL answers KILL CONNECTION so too)
            "kill-query-1317, true",
            "kill-query-1317-tls, true",
            "packet-too-large-client, false",
    })
    void aFreshLinkBrokeWhenTheDriverOrTheServerSaysSo(String captured, boolean broke) throws Exception {
        assertThat(RetryPolicy.linkBroke((SQLException) load(captured))).isEqualTo(broke);
    }
}
