package io.github.linkguard.internal.transaction;

import io.github.linkguard.internal.retry.RetryPolicy;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Galera's causal reads for what LinkGuard reads on a node after a failure: a lost COMMIT's marker, a replay. The
 * node may not have applied yet writes the cluster committed before (the lost COMMIT's own writeset, another
 * node's write that won certification); read without waiting for them, a marker is not found and a transaction
 * that committed runs again, a replay finds the old data and takes it for the same data. Elsewhere (no Galera,
 * MySQL) nothing changes.
 */
public final class CausalReads {

    /** Reads, UPDATE and DELETE, INSERT and REPLACE wait until the node applied what the cluster committed. */
    private static final int SYNC_WAIT = 7;

    private CausalReads() {
    }

    /**
     * On a Galera node, makes the session's statements wait until the node has applied every write the cluster
     * committed before them. The session's own value, to put back with {@link #restore}; null elsewhere.
     *
     * @throws SQLException only a lost-link failure ({@link RetryPolicy#throwIfLinkBroke})
     */
    public static String on(Connection connection) throws SQLException {
        String before;
        try (Statement statement = connection.createStatement();
                ResultSet galera = statement.executeQuery("SELECT @@wsrep_on, @@wsrep_sync_wait")) {
            if (!galera.next() || galera.getInt(1) == 0) {
                return null;
            }
            before = galera.getString(2);
        } catch (SQLException notGalera) {
            RetryPolicy.throwIfLinkBroke(notGalera);
            return null; // MySQL has no such variables
        }
        try (Statement statement = connection.createStatement()) {
            statement.execute("SET SESSION wsrep_sync_wait = " + SYNC_WAIT);
        } catch (SQLException e) {
            RetryPolicy.throwIfLinkBroke(e);
            return null;
        }
        return before;
    }

    /** Puts back the session's own value that {@link #on} returned (null: nothing to put back). */
    public static void restore(Connection connection, String before) throws SQLException {
        if (before != null) {
            try (Statement statement = connection.createStatement()) {
                statement.execute("SET SESSION wsrep_sync_wait = " + Integer.parseInt(before));
            }
        }
    }
}
