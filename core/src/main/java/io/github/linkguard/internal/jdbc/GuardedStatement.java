package io.github.linkguard.internal.jdbc;

import io.github.linkguard.Phase;
import io.github.linkguard.internal.diagnosis.ForceClosed;
import io.github.linkguard.internal.recovery.Link;
import io.github.linkguard.internal.recovery.Recoverable;
import io.github.linkguard.internal.replay.ReadLog;
import io.github.linkguard.internal.replay.TransactionLog;
import io.github.linkguard.internal.retry.SqlStatements;
import io.github.linkguard.internal.session.SessionSql;
import io.github.linkguard.internal.transaction.TransactionSql;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
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
public abstract class GuardedStatement extends DelegatingWrapper implements Statement, Recoverable {

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
    /** The connection's link: asked before each call, told every failure. */
    final Link link;
    /** The statement's SQL for prepared and callable statements, else null. */
    final String sql;
    /** Whether running {@link #sql} may change the session ({@link SessionSql}), looked at once. */
    final boolean touchesSession;
    /** Whether {@link #sql} only reads: 0 not looked at yet, 1 yes, -1 no. */
    private byte reads;
    /** Whether {@link #sql} only changes rows: 0 not looked at yet, 1 yes, -1 no. */
    private byte changesData;
    /** What {@link #sql} does to the open transaction; null until looked at. */
    private TransactionSql.Kind transactionKind;
    /** The texts added with {@code addBatch(String)} that may change the session; null while there are none. */
    private List<String> sessionBatch;
    /** The texts queued with {@code addBatch(String)}, to queue them again on a fresh link; null while none are. */
    private List<String> batchTexts;
    /** The batch that just ran, while the link keeps it for the transaction's replay; else null. */
    private RanBatch ranBatch;
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
        this.link = connection.link;
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
    @Override
    public final boolean touchesSession(String text) {
        return text == this.sql ? touchesSession : SessionSql.touchesSession(text);
    }

    /**
     * Whether running {@code text} on this statement only reads ({@link SqlStatements#readOnly}); looked at
     * once for a prepared statement's own text, and only inside transactions that have not written yet.
     */
    @Override
    public final boolean reads(String text) {
        if (link.readOnlySession()) {
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

    /**
     * Whether running {@code text} on this statement only changes rows ({@link SqlStatements#changesData});
     * looked at once for a prepared statement's own text, and only where auto-commit writes are resolved.
     */
    @Override
    public final boolean changesData(String text) {
        if (text != this.sql) {
            return SqlStatements.changesData(text);
        }
        if (changesData == 0) {
            changesData = (byte) (SqlStatements.changesData(text) ? 1 : -1);
        }
        return changesData > 0;
    }

    /**
     * What running {@code text} on this statement does to the open transaction ({@link TransactionSql#kind});
     * looked at once for a prepared statement's own text, and only inside transactions that wrote.
     */
    @Override
    public final TransactionSql.Kind transactionKind(String text) {
        if (text != this.sql) {
            return TransactionSql.kind(text);
        }
        if (transactionKind == null) {
            transactionKind = TransactionSql.kind(text);
        }
        return transactionKind;
    }

    /** Whether results are streamed: a result still occupies the link after the execution. */
    @Override
    public final boolean streaming() {
        return streaming;
    }

    /** The value bound to parameter {@code index} as far as it is kept, for lock names; null for plain statements. */
    @Override
    public Object boundValue(int index) {
        return null;
    }

    /**
     * The batch queued on this statement, taken as an execution is about to run it (the driver's queue is
     * empty after it, whatever happens): to run it again on a fresh link, and to keep it for the replay. Null if
     * it is not kept (then it cannot run again).
     */
    QueuedBatch takeBatch() {
        List<String> texts = batchTexts;
        batchTexts = null;
        if (texts == null) {
            return new QueuedBatch.Texts(List.of());
        }
        for (String text : texts) {
            if (TransactionSql.kind(text) != TransactionSql.Kind.PLAIN) {
                return null; // it may end or begin a transaction: what ran of it is not known, nor what to run again
            }
        }
        return new QueuedBatch.Texts(texts);
    }

    /** The batch queued now (not taken), to queue it again on a statement made on a fresh link. */
    void requeue(Statement fresh) throws SQLException {
        if (batchTexts != null) {
            new QueuedBatch.Texts(batchTexts).queueOn(fresh);
        }
    }

    /** The failure of a batch as the link met it ({@link ForceClosed}). */
    final SQLException batchFailure(SQLException failure) {
        return ForceClosed.unmask(link.physical(), failure);
    }

    /** The text a lost batch is judged by: the prepared statement's, or the plain batch's texts. */
    final String batchSql(QueuedBatch batch) {
        return batch == null ? sql : batch.text(sql);
    }

    /**
     * The execution of a lost batch again on the fresh link's statement: {@code batch} queued, then run, and
     * kept for the transaction's replay as a first run is ({@link #ranBatch}); null if the batch is not kept.
     */
    final <T> Link.Execution<T> again(QueuedBatch batch, Link.Execution<T> execute) {
        return batch == null ? null : () -> {
            batch.queueOn(delegate);
            T counts;
            try {
                counts = execute.run();
            } catch (SQLException e) {
                throw batchFailure(e); // the fresh link broke too: another one may do
            }
            if (counts instanceof int[] ints) {
                ranBatch(batch, ints);
            } else {
                ranBatch(batch, (long[]) counts);
            }
            return counts;
        };
    }

    /** After a batch ran: kept for the transaction's replay with its counts, and the session changes of its texts. */
    final void ranBatch(QueuedBatch batch, int[] counts) throws SQLException {
        long[] wide = new long[counts.length];
        for (int i = 0; i < counts.length; i++) {
            wide[i] = counts[i];
        }
        ranBatch(batch, wide);
    }

    final void ranBatch(QueuedBatch batch, long[] counts) throws SQLException {
        ranBatch = batch == null ? null : new RanBatch(remake(), batch, counts);
        try {
            link.ran(touchesSession, batchSql(batch), this, BATCH);
        } finally {
            ranBatch = null;
        }
        if (sessionBatch != null) {
            for (String text : sessionBatch) {
                link.ran(true, text, this, BATCH);
            }
            sessionBatch = null;
        }
    }

    /** The batch that just ran, for the transaction's replay; null if it is not kept. */
    @Override
    public final TransactionLog.Batch batch() {
        return ranBatch;
    }

    /** A batch that ran: the statement made again with the batch queued, and the counts the application saw. */
    private record RanBatch(Remake statement, QueuedBatch batch, long[] counts) implements TransactionLog.Batch {

        @Override
        public Statement make(Connection physical) throws SQLException {
            Statement again = statement.make(physical);
            batch.queueOn(again);
            return again;
        }

        @Override
        public int rows() {
            return batch.rows();
        }

        @Override
        public long size() {
            return batch.size();
        }
    }

    /** What this statement sends besides its SQL text: the largest bound value. */
    @Override
    public final long payloadBytes() {
        return largestParameter;
    }

    final SQLException failed(SQLException failure, long payloadBytes) {
        return link.failed(failure, Phase.EXECUTE, payloadBytes, false);
    }

    final ResultSet results(ResultSet results) {
        return results == null ? null : GuardedResultSet.of(connection, this, results, streaming, resultReads);
    }

    /** How the transaction's replay keeps the last execution: its number and the log of its result's reads. */
    @Override
    public final void keptAs(int number, ReadLog reads) {
        this.kept = number;
        this.resultReads = reads;
    }

    /** The last execution's number in the open transaction's replay, or -1. */
    @Override
    public final int kept() {
        return kept;
    }

    /** Whether the application may read the last execution's result: the replay cannot follow more than one. */
    final void moreResults(boolean more) {
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
    @Override
    public final void reopen(Connection physical) throws SQLException {
        replace(make(physical));
    }

    /** A driver statement on {@code physical} made as this one was, with the settings the application made. */
    final Statement make(Connection physical) throws SQLException {
        return Remake.make(recipe, sql, settings, settingsMade, physical);
    }

    @Override
    public final String sql() {
        return sql;
    }

    /**
     * The last execution, as a step of a transaction's replay (the statement made again, parameters bound);
     * null if it cannot be made again: then {@link #whyNotReplayable()} says why. The step holds how the
     * statement was made, not the statement: a closed statement is not kept until the transaction ends.
     */
    @Override
    public TransactionLog.Step step() {
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
    @Override
    public String whyNotReplayable() {
        return null;
    }

    /** The update count of the last execution, which returned no result set. */
    @Override
    public final long updateCount() throws SQLException {
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
        requeue(fresh);
    }

    /** The application cleared the batch. */
    void forgetBatch() {
        batchTexts = null;
    }

    @Override
    Wrapper delegate() {
        return delegate;
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
    public void setFetchSize(int rows) throws SQLException {
        link.ensureLink();
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
        link.ensureLinkToQueue(sql);
        try {
            delegate.addBatch(sql);
            if (batchTexts == null) {
                batchTexts = new ArrayList<>();
            }
            batchTexts.add(sql);
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
        link.ensureLink();
        try {
            delegate.clearBatch();
            sessionBatch = null;
            forgetBatch();
        } catch (SQLException e) {
            throw failed(e, 0);
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
    public ResultSet getGeneratedKeys() throws SQLException {
        link.ensureLink();
        try {
            ResultSet keys = delegate.getGeneratedKeys();
            return keys == null ? null : GuardedResultSet.of(connection, this, keys, false, link.keysRead(this));
        } catch (SQLException e) {
            throw failed(e, 0);
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
}
