package io.github.linkguard.internal.session;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * The SQL-made state of physical connections back in the pool. A pool resets what the application set
 * through JDBC when a connection comes back, but not what it set with SQL: the next borrower's session
 * starts with it, so its restore after a lost link must too. Keyed by the driver's connection, weakly, so
 * that a connection the pool closes takes its entry with it. Costs a volatile read per borrow while no
 * returned connection holds such state.
 */
public final class SessionCarry {

    private final Map<Connection, SessionState> returned = new WeakHashMap<>();
    private volatile boolean any;

    /** The state {@code physical} came back to the pool with, taken over by a new borrow; null if none. */
    public SessionState take(Connection physical) {
        if (!any) {
            return null;
        }
        Connection key = driverConnection(physical);
        if (key == null) {
            return null;
        }
        synchronized (returned) {
            SessionState state = returned.remove(key);
            any = !returned.isEmpty();
            return state;
        }
    }

    /** {@code physical} goes back to the pool holding {@code state}'s SQL-made part, if any. */
    public void keep(Connection physical, SessionState state) {
        SessionState carried = state == null ? null : state.sqlMade();
        if (carried == null) {
            return;
        }
        Connection key = driverConnection(physical);
        if (key == null) {
            return; // the pool closed it already: no session comes back
        }
        synchronized (returned) {
            returned.put(key, carried);
            any = true;
        }
    }

    /**
     * The driver's own connection under a pool's proxy (the same object on every borrow), or null if the
     * pool closed it (HikariCP then puts a proxy in its place that fails every call, hashCode included).
     */
    private static Connection driverConnection(Connection physical) {
        try {
            return physical.isClosed() ? null : physical.unwrap(Connection.class);
        } catch (SQLException | RuntimeException e) {
            return null;
        }
    }
}
