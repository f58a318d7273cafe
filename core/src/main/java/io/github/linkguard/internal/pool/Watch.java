package io.github.linkguard.internal.pool;

import java.util.function.BooleanSupplier;

/**
 * Watches, between the refill gate's connect attempts, for the moment an attempt can succeed, more cheaply and
 * more often than attempting: a knock at one server's port ({@link PortKnock}), or a look at what the servers of
 * a topology are now ({@code Topology#awaitWriter}). It lets the gate attempt as soon as the server (or a new
 * writer) is there, and skip an attempt it knows would fail.
 */
public interface Watch {

    /** What the watch saw. */
    enum Chance {
        /** The server is back (its port opens, a writer appeared): attempt now. */
        NOW,
        /** The watch could not tell (a host that drops packets, a server it could not reach): attempt when due. */
        DUE,
        /** The server is surely still away (its port refuses, no server writes): the attempt would only fail. */
        NONE
    }

    /**
     * Watches for up to {@code nanos}, looking every {@code pauseNanos}, until the server is back or {@code stop}
     * says so.
     */
    Chance await(long nanos, long pauseNanos, BooleanSupplier stop) throws InterruptedException;

    /**
     * Asked after an attempt failed although the server looked back: whether the server itself answers now (its
     * greeting comes), so that its new connections break after it accepted them (sessions killed as they begin)
     * rather than something else accepting for a server that is away. False where the watch cannot tell.
     */
    default boolean serverAnswers() {
        return false;
    }

    /** The server is back: lets go of what the watch holds (connections kept to look through) until it is away again. */
    default void release() {
    }

    /** Lets go of what the watch holds, for good. */
    default void close() {
    }
}
