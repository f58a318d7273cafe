package io.github.linkguard.internal.retry;

import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.time.Duration;

/**
 * Paces the retries of one DataSource with resilience4j-retry: exponential backoff with jitter, a
 * maximum number of attempts, and an overall time budget per operation. Nothing is allocated until an
 * operation has failed: {@link #start(long)} is called on the failure path only.
 */
public final class Retrier {

    private static final double JITTER = 0.5;

    private final Retry retry;
    /** The same pace without the count: for asking what happened, which is safe to repeat. */
    private final Retry asking;
    private final int maxAttempts;
    private final long budgetNanos;

    /**
     * @param name the DataSource's name
     * @param maxAttempts attempts per operation, the first included (1 = never retry)
     * @param initialInterval the wait before the first retry
     * @param multiplier how much each wait grows
     * @param maxInterval the longest wait
     * @param budget the longest an operation may take, retries and waits included
     */
    public Retrier(String name, int maxAttempts, Duration initialInterval, double multiplier, Duration maxInterval,
            Duration budget) {
        this.maxAttempts = maxAttempts;
        this.budgetNanos = budget.toNanos();
        RetryConfig config = RetryConfig.custom()
                .maxAttempts(maxAttempts)
                .intervalFunction(IntervalFunction.ofExponentialRandomBackoff(initialInterval, multiplier, JITTER,
                        maxInterval))
                .build();
        this.retry = Retry.of("linkguard-" + name, config);
        this.asking = Retry.of("linkguard-" + name + "-asking", RetryConfig.from(config)
                .maxAttempts(Integer.MAX_VALUE).build());
    }

    /** Whether retries are on at all. */
    public boolean enabled() {
        return maxAttempts > 1;
    }

    /** The retries of one operation, its time budget counted from {@code firstAttemptNanos} (nanoTime). */
    public Attempts start(long firstAttemptNanos) {
        return new Attempts(retry.context(), firstAttemptNanos);
    }

    /**
     * The attempts to learn what became of an operation (a lost COMMIT's outcome), its time budget counted from
     * {@code firstAttemptNanos}: asking the server is safe to repeat and giving up leaves the application an
     * unknown outcome, so with retries on they go on, at the same pace, until the time budget runs out, whatever
     * {@code maxAttempts} says.
     */
    public Attempts startAsking(long firstAttemptNanos) {
        return enabled() ? new Attempts(asking.context(), firstAttemptNanos) : start(firstAttemptNanos);
    }

    /** The retries of one operation. */
    public final class Attempts {
        private final Retry.Context<Object> context;
        private final long startNanos;
        private int retries;

        private Attempts(Retry.Context<Object> context, long startNanos) {
            this.context = context;
            this.startNanos = startNanos;
        }

        /**
         * Records a failed attempt and, if another one is allowed, waits the backoff interval.
         *
         * @return true if the caller should try again, false if attempts or the time budget ran out
         */
        public boolean another(Exception failure) {
            if (System.nanoTime() - startNanos >= budgetNanos) {
                return false;
            }
            try {
                context.onError(failure);
            } catch (Exception exhausted) {
                return false;
            }
            if (System.nanoTime() - startNanos >= budgetNanos) {
                return false;
            }
            retries++;
            return true;
        }

        /** How many retries were started. */
        public int retries() {
            return retries;
        }

        /** Nanoseconds since the first attempt began. */
        public long elapsedNanos() {
            return System.nanoTime() - startNanos;
        }

        /** The operation succeeded. */
        public void succeeded() {
            context.onComplete();
        }
    }
}
