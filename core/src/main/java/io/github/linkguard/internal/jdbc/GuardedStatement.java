package io.github.linkguard.internal.jdbc;

import io.github.linkguard.Phase;
import io.github.linkguard.internal.replay.ReadLog;
import io.github.linkguard.internal.replay.TransactionLog;
import io.github.linkguard.internal.retry.SqlStatements;
import io.github.linkguard.internal.session.SessionSql;
import io.github.linkguard.internal.transaction.Transaction;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.sql.Wrapper;
import java.util.ArrayList;
import java.util.List;

/**
 * The application's statement: delegates every call, marks the link good after each execution, wraps the
 * result sets it hands out, and reports failures as phase {@code execute} (with the statement's size, so
 * that an oversized packet can be recognised). It remembers how it was made and its settings, so that it
 * can be re-created on a fresh link after a lost one. The methods that only delegate are generated at build
 * time ({@code GeneratedStatement}, from {@code core/src/build/GenerateDelegates.java}).
 */
public abstract class GuardedStatement extends DelegatingWrapper implements Statement, Transaction.Reads {

    /** What an execution returned, for {@link GuardedConnection#ran}: a result set. */
    static final long RESULT = -1;
    /** An update count the statement still holds ({@code execute} returned false): ask it if needed. */
    static final long ASK = -2;
    /** A batch: update counts per statement. */
    static final long BATCH = -3;

    static final int FETCH_SIZE = 0;
    static final int MAX_ROWS = 1;
    static final int LARGE_MAX_ROWS = 2;
    static final int QUERY_TIMEOUT = 3;
    static final int MAX_FIELD_SIZE = 4;
    static final int FETCH_DIRECTION = 5;
    static final int ESCAPE_PROCESSING = 6;
    static final int POOLABLE = 7;
    private static final int SETTINGS = 8;

    /**
     * Makes the driver's statement on a physical connection, as the application asked for it. The SQL is
     * passed in, so that the recipes of the common calls capture nothing (one shared instance each).
     */
    @FunctionalInterface
    interface Recipe {
        Statement create(Connection physical, String sql) throws SQLException;
    }

    final GuardedConnection connection;
    /** The statement's SQL for prepared and callable statements, else null. */
    final String sql;
    /** Whether running {@link #sql} may change the session ({@link SessionSql}), looked at once. */
    final boolean touchesSession;
    /** Whether {@link #sql} only reads: 0 not looked at yet, 1 yes, -1 no. */
    private byte reads;
    /** The texts added with {@code addBatch(String)} that may change the session; null while there are none. */
    private List<String> sessionBatch;
    private final Recipe recipe;
    /** The driver's statement; another after a lost link ({@link #replace}); null until linked. */
    Statement delegate;
    /** Whether results are streamed row by row from the wire (fetch size {@code Integer.MIN_VALUE}). */
    private boolean streaming;
    /** The largest value bound so far, for prepared statements; 0 for plain ones. */
    long largestParameter;
    /** The settings the application made, by index; null until the first. */
    private long[] settings;
    private int settingsMade;
    /** Where the application's reads of the last execution's result go, while its transaction is kept; else null. */
    private ReadLog resultReads;
    /** The last execution's number in the open transaction's replay ({@link TransactionLog#add}); else -1. */
    private int kept = -1;
    /** Neighbours in the connection's list of open statements. */
    GuardedStatement previousOpen;
    GuardedStatement nextOpen;

    GuardedStatement(GuardedConnection connection, Statement delegate, String sql, Recipe recipe) {
        this.connection = connection;
        this.delegate = delegate;
        this.sql = sql;
        this.touchesSession = SessionSql.touchesSession(sql);
        this.recipe = recipe;
    }

    /** The application's statement over {@code delegate} (null: not linked yet). */
    static GuardedStatement of(GuardedConnection connection, Statement delegate, String sql, Recipe recipe) {
        return new GeneratedStatement(connection, delegate, sql, recipe);
    }

    /** Whether running {@code text} on this statement may change the session. */
    final boolean touchesSession(String text) {
        return text == this.sql ? touchesSession : SessionSql.touchesSession(text);
    }

    /**
     * Whether running {@code text} on this statement only reads ({@link SqlStatements#readOnly}); looked at
     * once for a prepared statement's own text, and only inside transactions that have not written yet.
     */
    @Override
    public final boolean reads(String text) {
        if (connection.readOnlySession()) {
            return true; // the server refuses every write
        }
        if (text != this.sql) {
            return SqlStatements.readOnly(text);
        }
        if (reads == 0) {
            reads = (byte) (SqlStatements.readOnly(text) ? 1 : -1);
        }
        return reads > 0;
    }

    /** Whether results are streamed: a result still occupies the link after the execution. */
    final boolean streaming() {
        return streaming;
    }

    /** The value bound to parameter {@code index} as far as it is kept, for lock names; null for plain statements. */
    Object boundValue(int index) {
        return null;
    }

    /** After a batch ran: the session changes of its texts. */
    private void ranBatch() {
        connection.ran(touchesSession, sql, this, BATCH);
        if (sessionBatch != null) {
            for (String text : sessionBatch) {
                connection.ran(true, text, this, BATCH);
            }
            sessionBatch = null;
        }
    }

    /** What this statement sends besides its SQL text: the largest bound value. */
    final long payloadBytes() {
        return largestParameter;
    }

    final SQLException failed(SQLException failure, long payloadBytes) {
        return connection.failed(failure, Phase.EXECUTE, payloadBytes, false);
    }

    final ResultSet results(ResultSet results) {
        return results == null ? null : GuardedResultSet.of(connection, this, results, streaming, resultReads);
    }

    /** How the transaction's replay keeps the last execution: its number and the log of its result's reads. */
    final void keptAs(int number, ReadLog reads) {
        this.kept = number;
        this.resultReads = reads;
    }

    /** The last execution's number in the open transaction's replay, or -1. */
    final int kept() {
        return kept;
    }

    /** Whether the application may read the last execution's result: the replay cannot follow more than one. */
    private void moreResults(boolean more) {
        if (more && resultReads != null) {
            resultReads.unreplayable("it read more than one result of a statement");
        }
    }

    static long lengthOf(String sql) {
        return sql == null ? 0 : sql.length();
    }

    final void setting(int which, long value) {
        if (settings == null) {
            settings = new long[SETTINGS];
        }
        settings[which] = value;
        settingsMade |= 1 << which;
    }

    final void setting(int which, boolean value) {
        setting(which, value ? 1 : 0);
    }

    /** Re-creates this statement on a fresh physical connection, with the settings the application made. */
    void reopen(Connection physical) throws SQLException {
        replace(make(physical));
    }

    /** A driver statement on {@code physical} made as this one was, with the settings the application made. */
    final Statement make(Connection physical) throws SQLException {
        return Remake.make(recipe, sql, settings, settingsMade, physical);
    }

    /**
     * The last execution, as a step of a transaction's replay (the statement made again, parameters bound);
     * null if it cannot be made again: then {@link #whyNotReplayable()} says why. The step holds how the
     * statement was made, not the statement: a closed statement is not kept until the transaction ends.
     */
    TransactionLog.Step step() {
        return remake();
    }

    /** How this statement is made again, as a value that holds no driver object. */
    final Remake remake() {
        return new Remake(recipe, sql, settingsMade == 0 ? null : settings.clone(), settingsMade);
    }

    /** How a statement was made and set up: its recipe, its SQL and the settings the application made. */
    record Remake(Recipe recipe, String sql, long[] settings, int settingsMade) implements TransactionLog.Step {

        @Override
        public Statement make(Connection physical) throws SQLException {
            return make(recipe, sql, settings, settingsMade, physical);
        }

        static Statement make(Recipe recipe, String sql, long[] settings, int settingsMade, Connection physical)
                throws SQLException {
            Statement fresh = recipe.create(physical, sql);
            for (int which = 0; which < SETTINGS; which++) {
                if ((settingsMade & (1 << which)) != 0) {
                    apply(fresh, which, settings[which]);
                }
            }
            return fresh;
        }
    }

    /** Why the last execution cannot be made again, when {@link #step()} is null. */
    String whyNotReplayable() {
        return null;
    }

    /** The update count of the last execution, which returned no result set. */
    final long updateCount() throws SQLException {
        return delegate.getLargeUpdateCount();
    }

    private static void apply(Statement statement, int which, long value) throws SQLException {
        switch (which) {
            case FETCH_SIZE:
                statement.setFetchSize((int) value);
                break;
            case MAX_ROWS:
                statement.setMaxRows((int) value);
                break;
            case LARGE_MAX_ROWS:
                statement.setLargeMaxRows(value);
                break;
            case QUERY_TIMEOUT:
                statement.setQueryTimeout((int) value);
                break;
            case MAX_FIELD_SIZE:
                statement.setMaxFieldSize((int) value);
                break;
            case FETCH_DIRECTION:
                statement.setFetchDirection((int) value);
                break;
            case ESCAPE_PROCESSING:
                statement.setEscapeProcessing(value != 0);
                break;
            default:
                statement.setPoolable(value != 0);
        }
    }

    /** Continues on {@code fresh}, the re-created driver statement. */
    void replace(Statement fresh) throws SQLException {
        delegate = fresh;
    }

    @Override
    Wrapper delegate() {
        return delegate;
    }

    @Override
    public ResultSet executeQuery(String sql) throws SQLException {
        connection.ensureLink(sql);
        if (streaming) {
            connection.beforeStreaming();
        }
        ResultSet result;
        try {
            result = delegate.executeQuery(sql);
            connection.ran(SessionSql.touchesSession(sql), sql, this, RESULT);
        } catch (SQLException e) {
            result = connection.recover(e, sql, lengthOf(sql), this, () -> delegate.executeQuery(sql));
        }
        return results(result);
    }

    @Override
    public int executeUpdate(String sql) throws SQLException {
        connection.ensureLink(sql);
        try {
            int result = delegate.executeUpdate(sql);
            connection.ran(SessionSql.touchesSession(sql), sql, this, result);
            return result;
        } catch (SQLException e) {
            return connection.recover(e, sql, lengthOf(sql), this, () -> delegate.executeUpdate(sql));
        }
    }

    @Override
    public void close() throws SQLException {
        try {
            connection.unregister(this);
            if (delegate != null) { // null: made while a lost transaction waited for its end, never linked
                delegate.close();
            }
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setMaxFieldSize(int max) throws SQLException {
        connection.ensureLink();
        try {
            delegate.setMaxFieldSize(max);
            setting(MAX_FIELD_SIZE, max);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setMaxRows(int max) throws SQLException {
        connection.ensureLink();
        try {
            delegate.setMaxRows(max);
            setting(MAX_ROWS, max);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setEscapeProcessing(boolean enable) throws SQLException {
        connection.ensureLink();
        try {
            delegate.setEscapeProcessing(enable);
            setting(ESCAPE_PROCESSING, enable);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setQueryTimeout(int seconds) throws SQLException {
        connection.ensureLink();
        try {
            delegate.setQueryTimeout(seconds);
            setting(QUERY_TIMEOUT, seconds);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void cancel() throws SQLException {
        if (delegate == null) {
            return; // made while a lost transaction waited for its end: nothing runs on it
        }
        try {
            delegate.cancel();
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public boolean execute(String sql) throws SQLException {
        connection.ensureLink(sql);
        try {
            boolean result = delegate.execute(sql);
            connection.ran(SessionSql.touchesSession(sql), sql, this, result ? RESULT : ASK);
            return result;
        } catch (SQLException e) {
            return connection.recover(e, sql, lengthOf(sql), this, () -> delegate.execute(sql));
        }
    }

    @Override
    public ResultSet getResultSet() throws SQLException {
        connection.ensureLink();
        try {
            return results(delegate.getResultSet());
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public boolean getMoreResults() throws SQLException {
        connection.ensureLink();
        try {
            boolean more = delegate.getMoreResults();
            moreResults(more);
            return more;
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setFetchDirection(int direction) throws SQLException {
        connection.ensureLink();
        try {
            delegate.setFetchDirection(direction);
            setting(FETCH_DIRECTION, direction);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setFetchSize(int rows) throws SQLException {
        connection.ensureLink();
        try {
            delegate.setFetchSize(rows);
            setting(FETCH_SIZE, rows);
            streaming = rows == Integer.MIN_VALUE;
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void addBatch(String sql) throws SQLException {
        connection.ensureLink(sql);
        try {
            delegate.addBatch(sql);
            if (SessionSql.touchesSession(sql)) {
                if (sessionBatch == null) {
                    sessionBatch = new ArrayList<>();
                }
                sessionBatch.add(sql);
            }
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void clearBatch() throws SQLException {
        connection.ensureLink();
        try {
            delegate.clearBatch();
            sessionBatch = null;
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public int[] executeBatch() throws SQLException {
        connection.ensureLink();
        try {
            int[] result = delegate.executeBatch();
            ranBatch();
            return result;
        } catch (SQLException e) {
            return connection.recover(e, this.sql, payloadBytes(), this, null);
        }
    }

    @Override
    public Connection getConnection() throws SQLException {
        if (delegate == null) {
            return connection;
        }
        try {
            delegate.getConnection();
            return connection;
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public boolean getMoreResults(int current) throws SQLException {
        connection.ensureLink();
        try {
            boolean more = delegate.getMoreResults(current);
            moreResults(more);
            return more;
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public ResultSet getGeneratedKeys() throws SQLException {
        connection.ensureLink();
        try {
            ResultSet keys = delegate.getGeneratedKeys();
            return keys == null ? null : GuardedResultSet.of(connection, this, keys, false, connection.keysRead(this));
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public int executeUpdate(String sql, int autoGeneratedKeys) throws SQLException {
        connection.ensureLink(sql);
        try {
            int result = delegate.executeUpdate(sql, autoGeneratedKeys);
            connection.ran(SessionSql.touchesSession(sql), sql, this, result);
            return result;
        } catch (SQLException e) {
            return connection.recover(e, sql, lengthOf(sql), this, () -> delegate.executeUpdate(sql, autoGeneratedKeys));
        }
    }

    @Override
    public int executeUpdate(String sql, int[] columnIndexes) throws SQLException {
        connection.ensureLink(sql);
        try {
            int result = delegate.executeUpdate(sql, columnIndexes);
            connection.ran(SessionSql.touchesSession(sql), sql, this, result);
            return result;
        } catch (SQLException e) {
            return connection.recover(e, sql, lengthOf(sql), this, () -> delegate.executeUpdate(sql, columnIndexes));
        }
    }

    @Override
    public int executeUpdate(String sql, String[] columnNames) throws SQLException {
        connection.ensureLink(sql);
        try {
            int result = delegate.executeUpdate(sql, columnNames);
            connection.ran(SessionSql.touchesSession(sql), sql, this, result);
            return result;
        } catch (SQLException e) {
            return connection.recover(e, sql, lengthOf(sql), this, () -> delegate.executeUpdate(sql, columnNames));
        }
    }

    @Override
    public boolean execute(String sql, int autoGeneratedKeys) throws SQLException {
        connection.ensureLink(sql);
        try {
            boolean result = delegate.execute(sql, autoGeneratedKeys);
            connection.ran(SessionSql.touchesSession(sql), sql, this, result ? RESULT : ASK);
            return result;
        } catch (SQLException e) {
            return connection.recover(e, sql, lengthOf(sql), this, () -> delegate.execute(sql, autoGeneratedKeys));
        }
    }

    @Override
    public boolean execute(String sql, int[] columnIndexes) throws SQLException {
        connection.ensureLink(sql);
        try {
            boolean result = delegate.execute(sql, columnIndexes);
            connection.ran(SessionSql.touchesSession(sql), sql, this, result ? RESULT : ASK);
            return result;
        } catch (SQLException e) {
            return connection.recover(e, sql, lengthOf(sql), this, () -> delegate.execute(sql, columnIndexes));
        }
    }

    @Override
    public boolean execute(String sql, String[] columnNames) throws SQLException {
        connection.ensureLink(sql);
        try {
            boolean result = delegate.execute(sql, columnNames);
            connection.ran(SessionSql.touchesSession(sql), sql, this, result ? RESULT : ASK);
            return result;
        } catch (SQLException e) {
            return connection.recover(e, sql, lengthOf(sql), this, () -> delegate.execute(sql, columnNames));
        }
    }

    @Override
    public boolean isClosed() throws SQLException {
        if (delegate == null) {
            return false; // never linked: open until closed, and then forgotten
        }
        try {
            return delegate.isClosed();
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setPoolable(boolean poolable) throws SQLException {
        connection.ensureLink();
        try {
            delegate.setPoolable(poolable);
            setting(POOLABLE, poolable);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setLargeMaxRows(long max) throws SQLException {
        connection.ensureLink();
        try {
            delegate.setLargeMaxRows(max);
            setting(LARGE_MAX_ROWS, max);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public long[] executeLargeBatch() throws SQLException {
        connection.ensureLink();
        try {
            long[] result = delegate.executeLargeBatch();
            ranBatch();
            return result;
        } catch (SQLException e) {
            return connection.recover(e, this.sql, payloadBytes(), this, null);
        }
    }

    @Override
    public long executeLargeUpdate(String sql) throws SQLException {
        connection.ensureLink(sql);
        try {
            long result = delegate.executeLargeUpdate(sql);
            connection.ran(SessionSql.touchesSession(sql), sql, this, result);
            return result;
        } catch (SQLException e) {
            return connection.recover(e, sql, lengthOf(sql), this, () -> delegate.executeLargeUpdate(sql));
        }
    }

    @Override
    public long executeLargeUpdate(String sql, int autoGeneratedKeys) throws SQLException {
        connection.ensureLink(sql);
        try {
            long result = delegate.executeLargeUpdate(sql, autoGeneratedKeys);
            connection.ran(SessionSql.touchesSession(sql), sql, this, result);
            return result;
        } catch (SQLException e) {
            return connection.recover(e, sql, lengthOf(sql), this, () -> delegate.executeLargeUpdate(sql, autoGeneratedKeys));
        }
    }

    @Override
    public long executeLargeUpdate(String sql, int[] columnIndexes) throws SQLException {
        connection.ensureLink(sql);
        try {
            long result = delegate.executeLargeUpdate(sql, columnIndexes);
            connection.ran(SessionSql.touchesSession(sql), sql, this, result);
            return result;
        } catch (SQLException e) {
            return connection.recover(e, sql, lengthOf(sql), this, () -> delegate.executeLargeUpdate(sql, columnIndexes));
        }
    }

    @Override
    public long executeLargeUpdate(String sql, String[] columnNames) throws SQLException {
        connection.ensureLink(sql);
        try {
            long result = delegate.executeLargeUpdate(sql, columnNames);
            connection.ran(SessionSql.touchesSession(sql), sql, this, result);
            return result;
        } catch (SQLException e) {
            return connection.recover(e, sql, lengthOf(sql), this, () -> delegate.executeLargeUpdate(sql, columnNames));
        }
    }
}
