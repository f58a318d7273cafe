package io.github.linkguard.internal.replay;

import io.github.linkguard.internal.diagnosis.ForceClosed;
import io.github.linkguard.internal.retry.RetryPolicy;
import io.github.linkguard.internal.retry.SqlStatements;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransactionRollbackException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What an open transaction did, kept so that it can run again on a fresh link after a lost one, with the
 * proof that the run again observed what the application observed: each statement in order, the update count
 * it returned, and the values the application read from its result and its generated keys ({@link ReadLog}).
 * A batch is kept with the update count of each of its statements. A transaction that did what a replay cannot
 * prove the same (a stream bound or read, a change of the session, more than the bounds keep) is not replayed: then {@link #whyNot()} says why, and the transaction
 * is lost as before. Not thread-safe, like the connection it belongs to.
 */
public final class TransactionLog {

    /** One statement of the transaction, made again on a fresh link. */
    @FunctionalInterface
    public interface Step {
        /** Makes the statement on {@code physical} as the application made it, its parameters bound. */
        Statement make(Connection physical) throws SQLException;
    }

    /**
     * A batch a statement ran: made again, the statement has the batch queued, and the replay runs it and
     * compares each statement's update count with what the application saw.
     */
    public interface Batch extends Step {
        /** The update counts the application saw, one per queued statement (as the driver returned them). */
        long[] counts();

        /** How many statements the batch queued. */
        int rows();

        /** About how many bytes the batch holds (texts, bound values). */
        long size();
    }

    /** A statement kept: how to run it again and what the application saw it do. */
    private static final class Entry {
        final Step step;
        /** The statement's SQL. */
        final String sql;
        /** Whether it is a plain statement, run again with its text; else a prepared one, which holds its own. */
        final boolean plain;
        /** The update count it returned; -1 for a result. */
        final long count;
        /** What the application read from its result; null for an update. */
        final ReadLog results;
        /** What the application read from its generated keys; null if it did not ask. */
        ReadLog keys;

        Entry(Step step, String sql, boolean plain, long count, ReadLog results) {
            this.step = step;
            this.sql = sql;
            this.plain = plain;
            this.count = count;
            this.results = results;
        }
    }

    /**
     * What a kept statement holds besides its text and values, counted against the bound: the entry, how to
     * make it again, and a query's read log. Measured with {@code ReplayFootprint}: a kept query of one row of
     * two columns holds about 380 bytes, its text, values and reads included.
     */
    static final int ENTRY_BYTES = 320;

    private final int maxSteps;
    private final long maxBytes;
    private final List<Entry> entries = new ArrayList<>();
    /** How many of the entries are not queries: what {@link #maxSteps} bounds. */
    private int commands;
    private long bytes;
    private String whyNot;
    /** Counts the transactions this log kept, so that a result read after its transaction ended adds nothing. */
    private int generation;

    /**
     * @param maxSteps the most statements other than queries kept (writes, savepoints, ...); a transaction
     *        with more is not replayed. Queries are bounded by {@code maxBytes} alone, so that a long listing
     *        read one query at a time stays replayable
     * @param maxBytes the most bytes kept: SQL text, bound values, 8 per value read, {@value #ENTRY_BYTES}
     *        per statement
     */
    public TransactionLog(int maxSteps, long maxBytes) {
        this.maxSteps = maxSteps;
        this.maxBytes = maxBytes;
    }

    /**
     * Keeps a statement that ran and returned {@code updateCount}, made of about {@code size} bytes.
     *
     * @param plain whether it is a plain statement (run again with its text), not a prepared one
     * @return the statement's number, to attach its generated keys; -1 if the transaction is not replayable
     */
    public int add(Step step, String sql, boolean plain, long updateCount, long size) {
        return keep(new Entry(step, sql, plain, updateCount, null), 1, size);
    }

    /**
     * Keeps a batch that ran, made of about {@code size} bytes; each of its statements counts against the bound
     * of statements.
     */
    public void addBatch(Batch batch, String sql, long size) {
        keep(new Entry(batch, sql, false, 0, null), Math.max(1, batch.rows()), size);
    }

    /**
     * Keeps a query that ran, made of about {@code size} bytes.
     *
     * @param plain whether it is a plain statement (run again with its text), not a prepared one
     * @return where the application's reads of its result go; null if the transaction is not replayable
     */
    public ReadLog addQuery(Step step, String sql, boolean plain, long size) {
        ReadLog results = new ReadLog(this, generation, false);
        return keep(new Entry(step, sql, plain, -1, results), 0, size) < 0 ? null : results;
    }

    /** Keeps {@code entry}, which counts as {@code statements} against the bound of statements other than queries. */
    private int keep(Entry entry, int statements, long size) {
        if (whyNot != null) {
            return -1;
        }
        if (commands + statements > maxSteps || !kept(generation, size + ENTRY_BYTES)) {
            notReplayable(tooLong());
            return -1;
        }
        entries.add(entry);
        commands += statements;
        return entries.size() - 1;
    }

    /**
     * The application asked statement {@code number} ({@link #add}) for its generated keys.
     *
     * @return where its reads of the keys go; null if the transaction is not replayable
     */
    public ReadLog keysOf(int number) {
        if (whyNot != null || number < 0 || number >= entries.size()) {
            return null;
        }
        Entry entry = entries.get(number);
        if (entry.keys == null) {
            entry.keys = new ReadLog(this, generation, true);
        }
        return entry.keys;
    }

    /**
     * Counts {@code size} more bytes kept for transaction {@code generation}: false if that transaction ended,
     * or (and then it is not replayable) if over the bound.
     */
    boolean kept(int generation, long size) {
        if (whyNot != null || generation != this.generation) {
            return false;
        }
        if (bytes + size > maxBytes) {
            notReplayable(tooLong());
            return false;
        }
        bytes += size;
        return true;
    }

    private String tooLong() {
        return "it is longer than the replay keeps (" + maxSteps + " statements other than queries, " + maxBytes
                + " bytes)";
    }

    /** The transaction did something a replay cannot prove the same: it is not replayed. */
    public void notReplayable(String why) {
        if (whyNot == null) {
            whyNot = why;
            entries.clear();
        }
    }

    /** Why the transaction cannot be replayed, or null if it can. */
    public String whyNot() {
        return whyNot;
    }

    /** How many statements are kept. */
    public int steps() {
        return entries.size();
    }

    /** How many bytes the open transaction keeps for its replay. */
    public long bytes() {
        return bytes;
    }

    /** Starts a new transaction. */
    public void clear() {
        generation++;
        entries.clear();
        commands = 0;
        bytes = 0;
        whyNot = null;
    }

    /**
     * Runs the transaction's statements again on {@code fresh} (its session already restored), comparing
     * each update count and each value read with what the application saw. Results the application still
     * has open continue on the replay's.
     *
     * <p>Under READ COMMITTED and READ UNCOMMITTED ({@code newerReadsAllowed}) every statement may see data
     * committed after the one before it, so the reads before the transaction's first write or locking read are
     * not run again: what they returned is what the lost session read before the writes, and the transaction
     * goes on as if the rest had come a little later, which the isolation level allows. A result the
     * application is still reading is the exception: one statement's rows come from one snapshot, so its query
     * runs again and must read the same values up to where the application is. From the first write or
     * locking read on, everything is compared, as under REPEATABLE READ and SERIALIZABLE, where the lost
     * snapshot can only be proven by reading the same values again (docs/transactions.md gives the argument).
     *
     * @param newerReadsAllowed whether the transaction's isolation level lets each statement see newer data
     * @param begun whether the fresh link's transaction is open already (a lost COMMIT's resolution read its
     *        marker in it): the statement the log begins with, the SQL {@code BEGIN} of a transaction begun in
     *        auto-commit mode, is not run again, as it would commit that transaction
     * @throws SQLException a lost-link failure: the fresh link broke, try another
     * @throws SQLTransactionRollbackException SQLState {@code 40001}: the replay saw other data, or met a
     *         deadlock or lock wait; the fresh link's transaction is rolled back
     */
    public void replay(Connection fresh, boolean newerReadsAllowed, boolean begun) throws SQLException {
        boolean beforeWrites = newerReadsAllowed;
        for (int i = begun ? 1 : 0; i < entries.size(); i++) {
            Entry entry = entries.get(i);
            if (beforeWrites) { // only reads so far: a query without a locking clause or a stored function, by its text
                beforeWrites = entry.results != null && SqlStatements.readOnly(entry.sql);
                if (beforeWrites && entry.results.closedByApplication()) {
                    continue; // what it read is allowed to be older than what follows; a result still read is compared
                }
            }
            String which = "statement " + (i + 1) + " of " + entries.size();
            String different;
            try {
                long key = entry.keys == null ? 0 : entry.keys.firstKey();
                if (key != 0) {
                    try (Statement insertId = fresh.createStatement()) {
                        insertId.execute("SET insert_id = " + key); // the keys the application saw, as binary logs do
                    }
                }
                different = runAgain(entry, fresh);
            } catch (SQLException e) {
                if (RetryPolicy.linkBroke(e) || RetryPolicy.readOnlyServer(e)) {
                    throw e; // the fresh link broke, or is to a demoted server: another may do
                }
                throw dataChanged(fresh, which + " failed in the replay (" + e.getMessage() + ")", e);
            }
            if (different != null) {
                throw dataChanged(fresh, which + " " + different, null);
            }
        }
    }

    /** Runs one statement again: null if it did what it did before, else what it did differently. */
    private static String runAgain(Entry entry, Connection fresh) throws SQLException {
        Statement again = entry.step.make(fresh);
        boolean handedOver = false;
        try {
            if (entry.step instanceof Batch batch) {
                long[] counts;
                try {
                    counts = again.executeLargeBatch();
                } catch (SQLException e) {
                    throw ForceClosed.unmask(fresh, e); // the fresh link broke: another one may do
                }
                return Arrays.equals(counts, batch.counts()) ? null : "changed " + Arrays.toString(counts)
                        + " rows in the replay, " + Arrays.toString(batch.counts()) + " before";
            }
            if (!entry.plain) {
                ((PreparedStatement) again).execute();
            } else {
                again.execute(entry.sql, entry.keys == null ? Statement.NO_GENERATED_KEYS : Statement.RETURN_GENERATED_KEYS);
            }
            if (entry.results != null) {
                ResultSet results = again.getResultSet();
                if (results == null || !entry.results.sameOn(results)) {
                    return "read other values in the replay";
                }
                handedOver = entry.results.handedOver(results);
            } else {
                long count = again.getLargeUpdateCount();
                if (count != entry.count) {
                    return "changed " + count + " rows in the replay, " + entry.count + " before";
                }
            }
            if (entry.keys != null) {
                ResultSet keys = again.getGeneratedKeys();
                if (!entry.keys.sameOn(keys)) {
                    return "generated other keys in the replay";
                }
                handedOver |= entry.keys.handedOver(keys);
            }
            return null;
        } finally {
            if (!handedOver) {
                again.close();
            }
        }
    }

    /**
     * Rolls back what is open on {@code physical} by SQL {@code ROLLBACK}, which the driver also takes in auto-commit
     * mode (a transaction a script began with {@code START TRANSACTION}), where its {@code rollback()} does nothing.
     */
    public static void rollBackBySql(Connection physical) throws SQLException {
        try (Statement rollback = physical.createStatement()) {
            rollback.execute("ROLLBACK");
        }
    }

    /** The replay failed: what it did is rolled back ({@link #rollBackBySql}). */
    private static SQLTransactionRollbackException dataChanged(Connection fresh, String what, SQLException cause)
            throws SQLException {
        rollBackBySql(fresh);
        return new SQLTransactionRollbackException("LinkGuard: the link to the database was lost inside a "
                + "transaction, and running the transaction again on a fresh link did not see the same data: " + what
                + ". The data changed between the loss and the replay, so the transaction was rolled back; run it "
                + "again.", "40001", cause);
    }
}
