package io.github.linkguard.internal.diagnosis;

import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads {@link ServerEvidence} after a failure, never on the happy path: over a fresh connection, on a
 * background thread so that the application waits at most {@code timeout}, at most one reading at a time
 * (callers during a reading share it) and cached for {@code freshFor}, so that a storm of failures costs
 * the server one small query every so often. A server that refuses, or a user without privileges, gives
 * partial or no evidence, never an error.
 */
public final class ServerProbe implements AutoCloseable {

    /** Opens the probe's own connection; it must honour a connect and read timeout by itself. */
    @FunctionalInterface
    public interface ConnectionSource {
        /** A new connection, closed by the probe. */
        Connection open() throws SQLException;
    }

    private static final Logger log = LoggerFactory.getLogger(ServerProbe.class);

    private final ConnectionSource source;
    private final long timeoutMillis;
    private final long freshForMillis;
    private final ExecutorService executor;
    private CompletableFuture<ServerEvidence> reading;
    private ServerEvidence latest;
    private ServerEvidence lastAvailable;

    /**
     * @param name names the probe's thread
     * @param source opens connections for the probe
     * @param timeout how long a failing call waits for the evidence
     * @param freshFor how long a reading is reused
     */
    public ServerProbe(String name, ConnectionSource source, Duration timeout, Duration freshFor) {
        this.source = source;
        this.timeoutMillis = timeout.toMillis();
        this.freshForMillis = freshFor.toMillis();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(0, 1, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                task -> {
                    Thread thread = new Thread(task, "linkguard-probe-" + name);
                    thread.setDaemon(true);
                    return thread;
                });
        this.executor = pool;
    }

    /** The server's evidence now: a fresh-enough cached reading, or a new one, waiting at most the timeout. */
    public ServerEvidence read() {
        CompletableFuture<ServerEvidence> current;
        synchronized (this) {
            if (latest != null && System.currentTimeMillis() - latest.takenAtMillis() < freshForMillis) {
                return latest;
            }
            if (reading == null) {
                reading = CompletableFuture.supplyAsync(this::readNow, executor).whenComplete((evidence, error) -> {
                    synchronized (this) {
                        reading = null;
                        if (evidence != null) {
                            latest = evidence;
                            if (evidence.available()) {
                                lastAvailable = evidence;
                            }
                        }
                    }
                });
            }
            current = reading;
        }
        try {
            return current.get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return ServerEvidence.unavailable("no answer within " + timeoutMillis + " ms", false, true, previous());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ServerEvidence.unavailable("interrupted", false, false, previous());
        } catch (ExecutionException e) {
            return ServerEvidence.unavailable(String.valueOf(e.getCause()), false, false, previous());
        }
    }

    /** The last reading taken, if any, without reading the server. */
    public synchronized ServerEvidence latest() {
        return latest;
    }

    private synchronized ServerEvidence previous() {
        return lastAvailable;
    }

    private ServerEvidence readNow() {
        ServerEvidence previous = previous();
        try (Connection connection = source.open(); Statement statement = connection.createStatement()) {
            statement.setQueryTimeout((int) Math.max(1, TimeUnit.MILLISECONDS.toSeconds(timeoutMillis)));
            Map<String, Long> variables = show(statement, "SHOW GLOBAL VARIABLES", ServerEvidence.VARIABLES);
            Map<String, Long> status = show(statement, "SHOW GLOBAL STATUS", ServerEvidence.STATUS);
            return ServerEvidence.read(variables, status, previous);
        } catch (SQLException | RuntimeException e) {
            List<Throwable> chain = ExceptionEvidence.walk(e);
            boolean refused = chain.stream().anyMatch(ConnectException.class::isInstance);
            boolean slow = chain.stream().anyMatch(SocketTimeoutException.class::isInstance);
            log.debug("LinkGuard could not read the server's evidence", e);
            return ServerEvidence.unavailable(e.getClass().getSimpleName() + ": " + firstLine(e.getMessage()), refused,
                    slow, previous);
        }
    }

    private static Map<String, Long> show(Statement statement, String show, String[] names) {
        Map<String, Long> values = new HashMap<>();
        StringBuilder sql = new StringBuilder(show).append(" WHERE Variable_name IN (");
        for (int i = 0; i < names.length; i++) {
            sql.append(i == 0 ? "'" : ", '").append(names[i]).append('\'');
        }
        try (ResultSet rows = statement.executeQuery(sql.append(')').toString())) {
            while (rows.next()) {
                try {
                    values.put(rows.getString(1).toLowerCase(java.util.Locale.ROOT), Long.parseLong(rows.getString(2)));
                } catch (NumberFormatException e) {
                    // not a number: not evidence we use
                }
            }
        } catch (SQLException e) {
            log.debug("LinkGuard could not run {} (missing privilege?)", show, e);
        }
        return values;
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int end = message.indexOf('\n');
        return end < 0 ? message : message.substring(0, end);
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
