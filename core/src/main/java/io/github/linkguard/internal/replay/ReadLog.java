package io.github.linkguard.internal.replay;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Calendar;

/**
 * What the application read from one result of a transaction kept for its replay: every read in order
 * (which getter, which column) and a {@link Digest} of the values the getters returned. A replay makes the
 * same reads on the result of the query run again and compares the digests: what the application never read
 * cannot matter to it, and what it read must be what it reads again. Not thread-safe, like the result set.
 */
public final class ReadLog {

    /** The result set the application reads, which can continue on a replay's result. */
    public interface Reader {
        /** Continues on {@code fresh}, the replay's result, positioned where the application was. */
        void continueOn(ResultSet fresh) throws SQLException;
    }

    /** What a read costs the transaction's bound: its entry, amortized. */
    private static final int BYTES_PER_READ = 8;

    private final TransactionLog transaction;
    /** Which of the log's transactions this result belongs to. */
    private final int generation;
    /** Whether this is the result of generated keys, whose first number a replay asks the server to use again. */
    private final boolean keys;
    /** Per read: the op ({@link ResultReads}) in the high half, the column index (or position) in the low half. */
    private long[] calls = new long[8];
    /** Per read: the column label, when read by label; null until the first. */
    private String[] labels;
    /** Per read: the argument after the column (scale, calendar, type, type map); null until the first. */
    private Object[] extras;
    private int size;
    private long digest = Digest.START;
    private long firstNumber;
    private boolean numbered;
    private Reader reader;
    private boolean closed;

    ReadLog(TransactionLog transaction, int generation, boolean keys) {
        this.transaction = transaction;
        this.generation = generation;
        this.keys = keys;
    }

    /** The result set whose reads these are, to continue on a replay's result while still open. */
    public void readBy(Reader reader) {
        this.reader = reader;
    }

    /** The application closed the result: a replay makes its reads again, and that is all. */
    public void closed() {
        closed = true;
        reader = null; // nor is the result set (and the rows its driver holds) kept until the transaction ends
    }

    /** Whether the application closed the result (then a replay need not hand it a fresh one). */
    boolean closedByApplication() {
        return closed || reader == null;
    }

    /** The application read something a replay cannot compare (in the transaction this result belongs to). */
    public void unreplayable(String why) {
        if (transaction.kept(generation, 0)) {
            transaction.notReplayable(why);
        }
    }

    public void read(int op, int index, String label, Object extra, long value) {
        if (keep(op, index, label, extra)) {
            digest = Digest.mix(digest, op, value);
            noteNumber(value);
        }
    }

    public void read(int op, int index, String label, Object extra, double value) {
        if (keep(op, index, label, extra)) {
            digest = Digest.mix(digest, op, value);
        }
    }

    public void read(int op, int index, String label, Object extra, boolean value) {
        if (keep(op, index, label, extra)) {
            digest = Digest.mix(digest, op, value);
        }
    }

    public void read(int op, int index, String label, Object extra, Object value) {
        if (keep(op, index, label, extra)) {
            digest = Digest.mix(digest, op, value);
            if (value instanceof Number) {
                noteNumber(((Number) value).longValue());
            }
        }
    }

    /** A move of the cursor that returns nothing (beforeFirst, afterLast). */
    public void moved(int op) {
        if (keep(op, 0, null, null)) {
            digest = Digest.mix(digest, op, (Object) null);
        }
    }

    private void noteNumber(long value) {
        if (keys && !numbered) {
            firstNumber = value;
            numbered = true;
        }
    }

    private boolean keep(int op, int index, String label, Object extra) {
        if (!transaction.kept(generation, BYTES_PER_READ)) {
            return false;
        }
        if (size == calls.length) {
            calls = Arrays.copyOf(calls, size * 2);
            labels = labels == null ? null : Arrays.copyOf(labels, size * 2);
            extras = extras == null ? null : Arrays.copyOf(extras, size * 2);
        }
        calls[size] = (long) op << 32 | (index & 0xFFFFFFFFL);
        if (label != null) {
            if (labels == null) {
                labels = new String[calls.length];
            }
            labels[size] = label;
        }
        if (extra != null) {
            if (extras == null) {
                extras = new Object[calls.length];
            }
            extras[size] = extra instanceof Calendar ? ((Calendar) extra).clone() : extra; // callers reuse calendars
        }
        size++;
        return true;
    }

    /** The first generated key the application read, for the server to give it again; 0 if it read none. */
    long firstKey() {
        return numbered ? firstNumber : 0;
    }

    /** Makes the application's reads again on {@code fresh}: whether every value read is the same. */
    boolean sameOn(ResultSet fresh) throws SQLException {
        long again = Digest.START;
        for (int i = 0; i < size; i++) {
            int op = (int) (calls[i] >>> 32);
            Object value = ResultReads.call(fresh, op, (int) calls[i], labels == null ? null : labels[i],
                    extras == null ? null : extras[i]);
            again = Digest.mix(again, op, value);
        }
        return again == digest;
    }

    /** Hands {@code fresh} to the application's result set if still open: whether it did (then keep it open). */
    boolean handedOver(ResultSet fresh) throws SQLException {
        if (reader == null || closed) {
            return false;
        }
        reader.continueOn(fresh);
        return true;
    }
}
