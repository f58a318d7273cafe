package io.github.linkguard.testkit;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Kills every client session of a server at a fixed period, as an operator's watchdog or a failover
 * does, from a thread of its own, until closed. Its own session is spared; while the server is down it
 * waits and tries again on the next tick.
 */
public final class SessionKiller implements AutoCloseable {

    private final EmbeddedMariaDb db;
    private final long periodMillis;
    private final AtomicInteger kills = new AtomicInteger();
    private final Thread thread;
    private volatile boolean running = true;

    private SessionKiller(EmbeddedMariaDb db, Duration period) {
        this.db = db;
        this.periodMillis = period.toMillis();
        this.thread = new Thread(this::run, "linkguard-session-killer");
        this.thread.setDaemon(true);
    }

    /** Starts killing every client session of {@code db} every {@code period}. */
    public static SessionKiller every(EmbeddedMariaDb db, Duration period) {
        if (period.isNegative() || period.isZero()) {
            throw new IllegalArgumentException("period must be positive, was " + period);
        }
        SessionKiller killer = new SessionKiller(db, period);
        killer.thread.start();
        return killer;
    }

    /** How many sessions were killed so far. */
    public int kills() {
        return kills.get();
    }

    private void run() {
        Connection admin = null;
        while (running) {
            try {
                Thread.sleep(periodMillis);
                if (admin == null || admin.isClosed()) {
                    admin = db.adminConnection();
                }
                killAll(admin);
            } catch (InterruptedException e) {
                break;
            } catch (SQLException serverAway) {
                close(admin);
                admin = null;
            }
        }
        close(admin);
    }

    private void killAll(Connection admin) throws SQLException {
        List<Long> sessions = new ArrayList<>();
        try (Statement statement = admin.createStatement();
                ResultSet rows = statement.executeQuery("SELECT ID FROM information_schema.PROCESSLIST"
                        + " WHERE ID <> CONNECTION_ID() AND COMMAND NOT IN ('Daemon', 'Binlog Dump')")) {
            while (rows.next()) {
                sessions.add(rows.getLong(1));
            }
        }
        try (Statement statement = admin.createStatement()) {
            for (long session : sessions) {
                try {
                    statement.execute("KILL CONNECTION " + session);
                    kills.incrementAndGet();
                } catch (SQLException alreadyGone) {
                    // ended between the listing and the kill
                }
            }
        }
    }

    private static void close(Connection connection) {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // the server is away
            }
        }
    }

    /** Stops killing and waits for the thread to end. */
    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
