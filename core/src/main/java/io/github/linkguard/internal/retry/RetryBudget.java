package io.github.linkguard.internal.retry;

import io.github.linkguard.internal.CoarseClock;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Caps what LinkGuard's retries add to the statements a DataSource sends, in the spirit of Finagle's retry
 * budgets and gRPC's retry throttling: over the last {@link #WINDOW_SECONDS} seconds, retries may be at most
 * {@code ratio} times the statements sent, plus a small reserve ({@code minimumPerSecond}) so that a quiet
 * application can still retry. Kills and restarts cost a few retries that succeed, and the application's
 * statements refill the budget; a server that fails most statements gets at most {@code ratio} more.
 *
 * <p>Statements are counted by each connection in a plain field and added here when it goes back to the pool
 * or meets a failure, so the happy path pays one add per borrow, not per statement.
 */
public final class RetryBudget {

    /** The sliding window, in slices of about a second (2^30 ns, so that a shift finds the slice). */
    public static final int WINDOW_SECONDS = 10;

    private static final int SLICE_SHIFT = 30;
    private static final int SLOTS = 16;

    private final double ratio;
    private final long reserve;
    private final Slices sent = new Slices();
    private final Slices retried = new Slices();

    /**
     * @param ratio retries allowed per statement sent
     * @param minimumPerSecond retries allowed per second whatever was sent
     */
    public RetryBudget(double ratio, int minimumPerSecond) {
        this.ratio = ratio;
        this.reserve = (long) minimumPerSecond * WINDOW_SECONDS;
    }

    /** {@code statements} statements were sent (first attempts). */
    public void sent(int statements) {
        if (statements > 0) {
            sent.add(statements, CoarseClock.nanos());
        }
    }

    /**
     * Takes {@code statements} retries from the budget if it holds them; false (and nothing taken) if
     * they would exceed it.
     */
    public synchronized boolean tryRetry(int statements) {
        long now = CoarseClock.nanos();
        double allowed = reserve + ratio * sent.sum(now);
        if (retried.sum(now) + statements > allowed) {
            return false;
        }
        retried.add(statements, now);
        return true;
    }

    /** Counts in slices of about a second, the oldest dropped as the window slides. */
    private static final class Slices {
        private final LongAdder[] counts = new LongAdder[SLOTS];
        private final AtomicLongArray seconds = new AtomicLongArray(SLOTS);

        Slices() {
            for (int i = 0; i < SLOTS; i++) {
                counts[i] = new LongAdder();
                seconds.set(i, Long.MIN_VALUE);
            }
        }

        void add(long n, long nanos) {
            long second = nanos >> SLICE_SHIFT;
            int slot = (int) (second & (SLOTS - 1));
            if (seconds.get(slot) != second) {
                synchronized (this) {
                    if (seconds.get(slot) != second) {
                        counts[slot].reset();
                        seconds.set(slot, second);
                    }
                }
            }
            counts[slot].add(n);
        }

        long sum(long nanos) {
            long now = nanos >> SLICE_SHIFT;
            long total = 0;
            for (int slot = 0; slot < SLOTS; slot++) {
                long second = seconds.get(slot);
                if (second != Long.MIN_VALUE && now - second < WINDOW_SECONDS) {
                    total += counts[slot].sum();
                }
            }
            return total;
        }
    }
}
