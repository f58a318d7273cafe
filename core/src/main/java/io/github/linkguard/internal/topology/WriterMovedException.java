package io.github.linkguard.internal.topology;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

/**
 * The server refused a write as read-only (1290, 1836) where the URL names several servers: it is no longer
 * the writer (a switchover or failover demoted it), and the write did not run. Diagnosed as a failover, so that the
 * statement, and the transaction it belongs to, move to the writer learned again. SQLState 08S01: the link to
 * the writer is what was lost.
 */
public final class WriterMovedException extends SQLTransientConnectionException {

    private static final long serialVersionUID = 1L;

    public WriterMovedException(SQLException refusal) {
        super("the server refused a write as read-only: it is no longer the writer (" + refusal.getMessage() + ")",
                "08S01", refusal);
    }
}
