package io.github.linkguard.internal.pool;

import java.util.concurrent.atomic.AtomicLong;

/**
 * When the server last accepted a connection again after an outage, kept until the first operation that
 * waited through the outage succeeds: the {@code linkguard.server.back} meter is the time between the two.
 */
public final class Comeback {

    private final AtomicLong backAtNanos = new AtomicLong();

    /** The server accepted a connection again at {@code nanos} (nanoTime) after failing to. */
    void serverBack(long nanos) {
        backAtNanos.set(nanos);
    }

    /**
     * The nanoseconds from the server's comeback to now, if the operation that just succeeded began before
     * it and is the first such one; else -1.
     */
    public long firstSuccess(long operationStartNanos) {
        long back = backAtNanos.get();
        if (back == 0 || operationStartNanos - back > 0 || !backAtNanos.compareAndSet(back, 0)) {
            return -1;
        }
        return System.nanoTime() - back;
    }
}
