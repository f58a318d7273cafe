package io.github.linkguard.internal.jdbc;

import io.github.linkguard.Phase;
import io.github.linkguard.internal.replay.ReadLog;
import io.github.linkguard.internal.replay.ResultReads;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Wrapper;

/**
 * The application's result set: delegates every call and reports failures as phase {@code fetch}, noting
 * whether the result was streamed from the wire. {@link #getStatement()} returns the application's
 * statement (null for metadata results). Inside a transaction kept for its replay, what the application
 * reads goes to a {@link ReadLog}; when a replay ran the query again while this result was still open, it
 * continues on the replay's result, at the same row. The methods with nothing more to do than that are
 * generated at build time ({@code GeneratedResultSet}, from {@code core/src/build/GenerateDelegates.java}).
 */
public abstract class GuardedResultSet extends DelegatingWrapper implements ResultSet, ReadLog.Reader {

    private final GuardedConnection connection;
    private final Statement statement;
    /** The driver's result set: the replay's, after a replay ran the query again. */
    ResultSet delegate;
    private final boolean streamed;
    /** Where the reads go while the open transaction is kept for its replay; else null. */
    final ReadLog reads;
    /** The statement a replay made to run the query again, closed with this result set; else null. */
    private Statement replayed;

    GuardedResultSet(GuardedConnection connection, Statement statement, ResultSet delegate, boolean streamed,
            ReadLog reads) {
        this.connection = connection;
        this.statement = statement;
        this.delegate = delegate;
        this.streamed = streamed;
        this.reads = reads;
        if (reads != null) {
            reads.readBy(this);
        }
    }

    /** The application's result set over {@code delegate}, its reads going to {@code reads} (null: not kept). */
    static GuardedResultSet of(GuardedConnection connection, Statement statement, ResultSet delegate, boolean streamed,
            ReadLog reads) {
        return new GeneratedResultSet(connection, statement, delegate, streamed, reads);
    }

    final SQLException failed(SQLException failure) {
        return connection.link.failed(failure, Phase.FETCH, 0, streamed);
    }

    /** The application read something a replay cannot compare, or wrote through the result. */
    final void unreplayable(String why) {
        if (reads != null) {
            reads.unreplayable(why);
        }
    }

    @Override
    Wrapper delegate() {
        return delegate;
    }

    @Override
    public final void continueOn(ResultSet fresh) throws SQLException {
        replayed = fresh.getStatement();
        delegate = fresh;
    }

    @Override
    public final boolean next() throws SQLException {
        try {
            boolean more = delegate.next();
            if (reads != null) {
                reads.read(ResultReads.NEXT, 0, null, null, more);
            }
            return more;
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    @Override
    public final void close() throws SQLException {
        if (reads != null) {
            reads.closed();
        }
        try {
            delegate.close();
            if (replayed != null) {
                replayed.close();
            }
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    @Override
    public final Statement getStatement() throws SQLException {
        try {
            delegate.getStatement();
            return statement;
        } catch (SQLException e) {
            throw failed(e);
        }
    }
}
