package io.github.linkguard.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class CoarseClockTest {

    @Test
    void ticksWhileLeasedAndALeaseClosedTwiceIsReleasedOnce() throws Exception {
        try (CoarseClock.Lease kept = CoarseClock.lease()) {
            CoarseClock.Lease closedTwice = CoarseClock.lease();
            closedTwice.close();
            closedTwice.close();

            long before = CoarseClock.nanos();
            Thread.sleep(100);
            long after = CoarseClock.nanos();

            assertThat(Duration.ofNanos(after - before)).isBetween(Duration.ofMillis(50), Duration.ofMillis(2_000));
            assertThat(System.nanoTime() - after).isLessThan(TimeUnit.SECONDS.toNanos(1));
            assertThat(Thread.getAllStackTraces().keySet())
                    .filteredOn(thread -> thread.getName().equals("linkguard-clock")).hasSize(1);
        }
    }
}
