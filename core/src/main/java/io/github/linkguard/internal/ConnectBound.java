package io.github.linkguard.internal;

import io.github.linkguard.internal.diagnosis.ExceptionEvidence;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Bounds the connect phase of a DataSource that does not bound it itself (a bare driver DataSource:
 * Connector/J waits forever for a server that accepts TCP but never greets, unless {@code socketTimeout}
 * is set). The connect runs on a helper thread and the caller waits at most the bound; a connection that
 * arrives after the caller gave up is closed, never leaked. HikariCP bounds its borrow time with
 * {@code connectionTimeout}, so LinkGuard does not add this hand-off in front of it.
 */
public final class ConnectBound implements AutoCloseable {

    /** Opens a connection. */
    @FunctionalInterface
    public interface Connector {
        /** A new connection. */
        Connection connect() throws SQLException;
    }

    private final long boundMillis;
    private final ExecutorService executor;

    /** Bounds connects by {@code bound}; {@code name} names the helper threads. */
    public ConnectBound(String name, Duration bound) {
        this.boundMillis = bound.toMillis();
        this.executor = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
                task -> {
                    Thread thread = new Thread(task, "linkguard-connect-" + name);
                    thread.setDaemon(true);
                    return thread;
                });
    }

    /** Connects with {@code connector}, waiting at most the bound. */
    public Connection connect(Connector connector) throws SQLException {
        CompletableFuture<Connection> attempt = CompletableFuture.supplyAsync(() -> {
            try {
                return connector.connect();
            } catch (SQLException e) {
                throw new ConnectFailure(e);
            }
        }, executor);
        try {
            return attempt.get(boundMillis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            abandon(attempt);
            throw new SQLTransientConnectionException(ExceptionEvidence.CONNECT_BOUND_MESSAGE + boundMillis
                    + " ms (the server accepted TCP but did not finish the handshake)", "08001");
        } catch (InterruptedException e) {
            abandon(attempt);
            Thread.currentThread().interrupt();
            throw new SQLTransientConnectionException("interrupted while connecting", "08001", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof ConnectFailure) {
                throw ((ConnectFailure) cause).failure;
            }
            throw new SQLTransientConnectionException("connecting failed: " + cause, "08001", cause);
        }
    }

    private static void abandon(CompletableFuture<Connection> attempt) {
        attempt.thenAccept(late -> {
            try {
                late.close();
            } catch (SQLException e) {
                // it was never used: nothing to lose
            }
        });
    }

    @Override
    public void close() {
        executor.shutdown();
    }

    /** Carries the driver's SQLException through the future unchanged. */
    private static final class ConnectFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient SQLException failure;

        ConnectFailure(SQLException failure) {
            super(null, null, false, false);
            this.failure = failure;
        }
    }
}
