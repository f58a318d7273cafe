package io.github.linkguard.internal.jdbc;

import io.github.linkguard.internal.replay.TransactionLog;
import java.sql.CallableStatement;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The application's callable statement: a {@link GuardedPreparedStatement} for stored procedures. The methods
 * of its OUT parameters and of the parameters set by name are generated at build time
 * ({@code GeneratedCallableStatement}, from {@code core/src/build/GenerateDelegates.java}).
 */
public abstract class GuardedCallableStatement extends GuardedPreparedStatement implements CallableStatement {

    /** The driver's statement; another after a lost link ({@link #replace}). */
    CallableStatement delegate;

    GuardedCallableStatement(GuardedConnection connection, CallableStatement delegate, String sql, Recipe recipe) {
        super(connection, delegate, sql, recipe);
        this.delegate = delegate;
    }

    /** The application's callable statement over {@code delegate}. */
    static GuardedCallableStatement of(GuardedConnection connection, CallableStatement delegate, String sql,
            Recipe recipe) {
        return new GeneratedCallableStatement(connection, delegate, sql, recipe);
    }

    /** A procedure's work and OUT parameters are not seen by the replay's digests: it is not replayed. */
    @Override
    public TransactionLog.Step step() {
        return null;
    }

    @Override
    public String whyNotReplayable() {
        return "it called a stored procedure, whose work and OUT parameters a replay cannot compare";
    }

    /** A batch of procedure calls: not run again, as a call is not. */
    @Override
    QueuedBatch takeBatch() {
        super.takeBatch();
        return null;
    }

    @Override
    void replace(Statement fresh) throws SQLException {
        super.replace(fresh);
        delegate = (CallableStatement) fresh;
    }
}
