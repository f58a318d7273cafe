package io.github.linkguard.internal.replay;

import io.github.linkguard.internal.retry.RetryPolicy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransactionRollbackException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What an open transaction did, kept so that it can run again on a fresh link after a lost one, with the
 * proof that the run again observed what the application observed: each statement and the update count it
 * returned. A transaction that read a result, changed the session, bound a stream or grew over the bounds
 * cannot be replayed (yet): then {@link #whyNot()} says why, and the transaction is lost as before.
 * Not thread-safe, like the connection it belongs to.
 */
public final class TransactionLog {

    /** One statement of the transaction, made again on a fresh link. */
    @FunctionalInterface
    public interface Step {
        /** Runs the statement on {@code physical} and returns its update count. */
        long run(Connection physical) throws SQLException;
    }

    private final int maxSteps;
    private final long maxBytes;
    private final List<Step> steps = new ArrayList<>();
    private long[] counts = new long[8];
    private long bytes;
    private String whyNot;

    /**
     * @param maxSteps the most statements kept; a longer transaction is not replayed
     * @param maxBytes the most bytes of SQL text and bound values kept
     */
    public TransactionLog(int maxSteps, long maxBytes) {
        this.maxSteps = maxSteps;
        this.maxBytes = maxBytes;
    }

    /** Keeps a statement that ran and returned {@code updateCount}, made of about {@code size} bytes. */
    public void add(Step step, long updateCount, long size) {
        if (whyNot != null) {
            return;
        }
        if (steps.size() == maxSteps || bytes + size > maxBytes) {
            notReplayable("it is longer than the replay keeps (" + maxSteps + " statements, " + maxBytes + " bytes)");
            return;
        }
        if (steps.size() == counts.length) {
            counts = Arrays.copyOf(counts, counts.length * 2);
        }
        counts[steps.size()] = updateCount;
        steps.add(step);
        bytes += size;
    }

    /** The transaction did something a replay cannot prove the same: it is not replayed. */
    public void notReplayable(String why) {
        if (whyNot == null) {
            whyNot = why;
            steps.clear();
        }
    }

    /** Why the transaction cannot be replayed, or null if it can. */
    public String whyNot() {
        return whyNot;
    }

    /** Starts a new transaction. */
    public void clear() {
        steps.clear();
        bytes = 0;
        whyNot = null;
    }

    /**
     * Runs the transaction's statements again on {@code fresh} (its session already restored), comparing
     * each update count with the one the application saw.
     *
     * @throws SQLException a lost-link failure: the fresh link broke, try another
     * @throws SQLTransactionRollbackException SQLState {@code 40001}: the replay saw other data, or met a
     *         deadlock or lock wait; the fresh link's transaction is rolled back
     */
    public void replay(Connection fresh) throws SQLException {
        for (int i = 0; i < steps.size(); i++) {
            long count;
            try {
                count = steps.get(i).run(fresh);
            } catch (SQLException e) {
                if (RetryPolicy.linkBroke(e)) {
                    throw e;
                }
                throw dataChanged(fresh, "statement " + (i + 1) + " of " + steps.size() + " failed in the replay ("
                        + e.getMessage() + ")", e);
            }
            if (count != counts[i]) {
                throw dataChanged(fresh, "statement " + (i + 1) + " of " + steps.size() + " changed " + count
                        + " rows in the replay, " + counts[i] + " before", null);
            }
        }
    }

    private static SQLException dataChanged(Connection fresh, String what, SQLException cause) throws SQLException {
        fresh.rollback();
        return new SQLTransactionRollbackException("LinkGuard: the link to the database was lost inside a "
                + "transaction, and running the transaction again on a fresh link did not see the same data: " + what
                + ". The data changed between the loss and the replay, so the transaction was rolled back; run it "
                + "again.", "40001", cause);
    }

}
