package io.github.linkguard.internal.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RefillGateTest {

    private static final long INTERVAL = Duration.ofMillis(400).toNanos();

    @Test
    void aRestartIsTriedAtTheSteadyPace() {
        assertThat(RefillGate.pauseAfter(0, INTERVAL)).isEqualTo(INTERVAL);
        assertThat(RefillGate.pauseAfter(Duration.ofSeconds(10).toNanos(), INTERVAL)).isEqualTo(INTERVAL);
    }

    @Test
    void aLongOutageIsTriedLessOftenUpToHikariCpsLongestPause() {
        assertThat(RefillGate.pauseAfter(Duration.ofSeconds(20).toNanos(), INTERVAL))
                .isEqualTo(Duration.ofMillis(1_400).toNanos());
        assertThat(RefillGate.pauseAfter(Duration.ofMinutes(10).toNanos(), INTERVAL))
                .isEqualTo(Duration.ofSeconds(5).toNanos());
    }

    @Test
    void aLongOutageCostsAboutAsManyAttemptsAsHikariCpAlone() {
        long minute = Duration.ofMinutes(10).toNanos();
        int attempts = 0;
        for (long down = 0; down < minute; down += RefillGate.pauseAfter(down, INTERVAL)) {
            attempts++;
        }
        // HikariCP alone: 10 ms doubling up to 5 s, about 129 attempts in 10 minutes
        assertThat(attempts).isBetween(129, 2 * 129);
    }
}
