package io.github.linkguard.internal.pool;

import io.github.linkguard.internal.topology.Topology;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;

/**
 * Watches the servers of a topology while none is known to be the writer (a promotion under way): a connection
 * kept to each server that answers, asked every look whether its server writes now ({@code read_only}, replication,
 * Galera's readiness), so that the gate connects to the new writer a look after its promotion instead of up to an
 * interval later. A server that does not answer is asked to connect again once per wait, as learning the writer
 * would; while every server answered and none writes, the gate's attempt (which would learn nothing) is skipped.
 * Its connections are the gate's own, outside the pool, one per server at most, closed once a writer is seen.
 */
final class WriterWatch implements Watch {

    private final Topology topology;
    private final List<DataSource> servers;
    /** The connection kept to each server (by its place), or null. */
    private final Connection[] kept;
    private boolean closed;

    WriterWatch(Topology topology) {
        this.topology = topology;
        this.servers = topology.serverSources();
        this.kept = new Connection[servers.size()];
    }

    @Override
    public synchronized Chance await(long nanos, long pauseNanos, BooleanSupplier stop) throws InterruptedException {
        if (topology.writerKnown()) {
            release();
            return Chance.DUE; // the gate's attempt goes to the writer known
        }
        long end = System.nanoTime() + nanos;
        boolean allAnswered = connectMissing(end);
        while (!closed && !stop.getAsBoolean()) {
            Boolean writes = anyWrites();
            if (writes == null) {
                allAnswered = false; // a kept connection broke: its server is asked again at the next wait
            } else if (writes) {
                release();
                return Chance.NOW;
            }
            long left = end - System.nanoTime();
            if (left <= 0) {
                return allAnswered ? Chance.NONE : Chance.DUE;
            }
            long wait = Math.min(pauseNanos, left);
            TimeUnit.NANOSECONDS.timedWait(this, wait); // close() may wake it
        }
        release();
        return Chance.DUE;
    }

    /**
     * Connects to each server without a kept connection, all at once, bounded by {@code end}; whether every
     * server answered (connected, or refused at once: learning would not reach it either).
     */
    private boolean connectMissing(long end) throws InterruptedException {
        List<CompletableFuture<Connection>> asked = new ArrayList<>();
        for (int i = 0; i < kept.length; i++) {
            DataSource server = servers.get(i);
            asked.add(kept[i] != null ? null : CompletableFuture.supplyAsync(() -> {
                try {
                    return server.getConnection();
                } catch (SQLException refused) {
                    return null;
                }
            }, WriterWatch::daemon));
        }
        boolean allAnswered = true;
        for (int i = 0; i < kept.length; i++) {
            CompletableFuture<Connection> connecting = asked.get(i);
            if (connecting == null) {
                continue;
            }
            try {
                kept[i] = connecting.get(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException late) {
                allAnswered = false;
                connecting.thenAccept(Topology::closeQuietly);
            } catch (ExecutionException failed) {
                allAnswered = false;
            }
        }
        return allAnswered;
    }

    /** Whether a kept connection's server writes now; null if one broke (and was let go of). */
    private Boolean anyWrites() {
        boolean broke = false;
        for (int i = 0; i < kept.length; i++) {
            if (kept[i] == null) {
                continue;
            }
            try {
                if (Topology.whyNotWriter(kept[i]) == null) {
                    return true;
                }
            } catch (SQLException gone) {
                Topology.closeQuietly(kept[i]);
                kept[i] = null;
                broke = true;
            }
        }
        return broke ? null : false;
    }

    @Override
    public synchronized void release() {
        for (int i = 0; i < kept.length; i++) {
            if (kept[i] != null) {
                Topology.closeQuietly(kept[i]);
                kept[i] = null;
            }
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            notifyAll();
            release();
        }
    }


    private static void daemon(Runnable task) {
        Thread thread = new Thread(task, "linkguard-writer-watch");
        thread.setDaemon(true);
        thread.start();
    }
}
