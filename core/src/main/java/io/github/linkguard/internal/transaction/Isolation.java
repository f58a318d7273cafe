package io.github.linkguard.internal.transaction;

import io.github.linkguard.internal.retry.RetryPolicy;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The isolation level a lost transaction ran at, as the server says it: what a replay must prove depends on
 * it (READ COMMITTED lets each statement see newer data than the one before; REPEATABLE READ does not). Asked
 * on the fresh link once the session is restored there, so that whatever set the level (the server's
 * default, the URL, the pool, {@code setTransactionIsolation}, SQL {@code SET SESSION TRANSACTION}) is
 * counted; asked only when a replay runs.
 */
public final class Isolation {

    /** MySQL 5.7.20+, 8.x and MariaDB 11.1+ name it so; older MariaDB only {@link #OLD_VARIABLE}. */
    private static final String VARIABLE = "SELECT @@session.transaction_isolation";
    private static final String OLD_VARIABLE = "SELECT @@session.tx_isolation";
    /** ER_UNKNOWN_SYSTEM_VARIABLE. */
    private static final int UNKNOWN_VARIABLE = 1193;

    private Isolation() {
    }

    /**
     * Whether the session of {@code fresh} runs transactions at READ COMMITTED or READ UNCOMMITTED, where
     * every statement may see data committed after the statement before it. False when the server says
     * otherwise or cannot say.
     *
     * @throws SQLException only a lost-link failure (the fresh link broke)
     */
    public static boolean newerReadsAllowed(Connection fresh) throws SQLException {
        for (String query : new String[] {VARIABLE, OLD_VARIABLE}) {
            try {
                String level = ask(fresh, query);
                return "READ-COMMITTED".equalsIgnoreCase(level) || "READ-UNCOMMITTED".equalsIgnoreCase(level);
            } catch (SQLException e) {
                RetryPolicy.throwIfLinkBroke(e);
                if (e.getErrorCode() != UNKNOWN_VARIABLE) {
                    return false;
                }
            }
        }
        return false;
    }

    private static String ask(Connection fresh, String query) throws SQLException {
        try (Statement statement = fresh.createStatement(); ResultSet level = statement.executeQuery(query)) {
            return level.next() ? level.getString(1) : null;
        }
    }
}
