package io.github.linkguard.internal;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * {@link System#nanoTime()} as of the last tick, read for the price of a field read. The wrappers stamp
 * every borrow and every execution with it (when the link was last good: evidence for the diagnosis,
 * which counts in seconds), and a real clock read there would cost about as much as all of LinkGuard's
 * other happy-path work together. One daemon thread ticks every {@link #TICK_MILLIS} ms while at least
 * one LinkGuard DataSource is open.
 */
public final class CoarseClock {

    /** How stale a reading may be. */
    public static final long TICK_MILLIS = 10;

    private static volatile long nanos = System.nanoTime();
    private static int leases;
    private static Thread ticker;

    private CoarseClock() {
    }

    /** {@link System#nanoTime()} at most {@link #TICK_MILLIS} ms ago (while a lease is held). */
    public static long nanos() {
        return nanos;
    }

    /** Keeps the clock ticking until the lease is closed. */
    public static Lease lease() {
        synchronized (CoarseClock.class) {
            if (leases++ == 0) {
                nanos = System.nanoTime();
                ticker = new Thread(CoarseClock::tick, "linkguard-clock");
                ticker.setDaemon(true);
                ticker.start();
            }
        }
        return new Lease();
    }

    private static void tick() {
        Thread self = Thread.currentThread();
        while (!self.isInterrupted()) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(TICK_MILLIS));
            nanos = System.nanoTime();
        }
    }

    private static synchronized void release() {
        if (--leases == 0) {
            ticker.interrupt();
            ticker = null;
        }
    }

    /** A claim on the ticking clock; closing it twice releases it once. */
    public static final class Lease implements AutoCloseable {
        private final AtomicBoolean closed = new AtomicBoolean();

        private Lease() {
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                release();
            }
        }
    }
}
