package io.github.linkguard.internal.jdbc;

import io.github.linkguard.internal.remedy.Remedies;
import io.github.linkguard.internal.replay.TransactionLog;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The application's prepared statement: a {@link GuardedStatement} that also records the size of large
 * bound values (bytes, strings, streams and LOBs of known length), the evidence of a packet over
 * {@code max_allowed_packet}. The statement's methods that only delegate are generated at build time
 * ({@code GeneratedPreparedStatement}, from {@code core/src/build/GenerateDelegates.java}).
 */
@SuppressWarnings("deprecation") // JDBC's deprecated methods must still be delegated
public abstract class GuardedPreparedStatement extends GuardedStatement implements PreparedStatement {

    /** Binds one parameter again on a re-created statement. */
    @FunctionalInterface
    interface Binding {
        void apply(PreparedStatement statement) throws SQLException;
    }

    /** What a kept row of a batch holds besides its largest value, counted against the replay's bound. */
    private static final long ROW_BYTES = 96;
    /** How many parameters the statement keeps in its own fields, so that binding them allocates nothing. */
    private static final int INLINE = 4;

    /** The driver's statement; another after a lost link ({@link #replace}). */
    PreparedStatement delegate;
    /** Whether bound parameters are kept, to bind them again on a fresh link (retries on). */
    private final boolean keepsParameters;
    /*
     * The parameters bound (how, and the number or object bound), kept while retries are on: 1 to INLINE in
     * fields, the rest in arrays (by index - INLINE - 1) made when first needed.
     */
    private Parameter kind1, kind2, kind3, kind4;
    private long number1, number2, number3, number4;
    private Object object1, object2, object3, object4;
    private Parameter[] moreKinds;
    private long[] moreNumbers;
    private Object[] moreObjects;
    /** A stream or reader was bound: it cannot be read twice, so it cannot be re-bound. */
    private boolean unreplayable;
    /** The parameters of each row queued with {@code addBatch()}, to queue them again on a fresh link; null while
     *  none are kept. */
    private List<Bindings> batchRows;
    /** A row of the queued batch could not be kept (a stream bound, or retries off): the batch cannot run again. */
    private boolean batchUnkept;

    GuardedPreparedStatement(GuardedConnection connection, PreparedStatement delegate, String sql, Recipe recipe) {
        super(connection, delegate, sql, recipe);
        this.delegate = delegate;
        this.keepsParameters = link.retries();
    }

    /** The application's prepared statement over {@code delegate}. */
    static GuardedPreparedStatement of(GuardedConnection connection, PreparedStatement delegate, String sql,
            Recipe recipe) {
        return new GeneratedPreparedStatement(connection, delegate, sql, recipe);
    }

    /** Keeps a parameter to bind it again on a re-created statement (while retries are on). */
    final void keep(int parameterIndex, Parameter kind, long number, Object object) {
        if (!keepsParameters) {
            return;
        }
        switch (parameterIndex) {
            case 1:
                kind1 = kind;
                number1 = number;
                object1 = object;
                break;
            case 2:
                kind2 = kind;
                number2 = number;
                object2 = object;
                break;
            case 3:
                kind3 = kind;
                number3 = number;
                object3 = object;
                break;
            case 4:
                kind4 = kind;
                number4 = number;
                object4 = object;
                break;
            default:
                keepMore(parameterIndex - INLINE - 1, kind, number, object);
        }
    }

    private void keepMore(int slot, Parameter kind, long number, Object object) {
        if (slot < 0) {
            return; // an invalid index: the driver accepted it, nothing to replay
        }
        if (moreKinds == null || slot >= moreKinds.length) {
            int length = Math.max(slot + 1, moreKinds == null ? INLINE : moreKinds.length * 2);
            moreKinds = moreKinds == null ? new Parameter[length] : Arrays.copyOf(moreKinds, length);
            moreNumbers = moreNumbers == null ? new long[length] : Arrays.copyOf(moreNumbers, length);
            moreObjects = moreObjects == null ? new Object[length] : Arrays.copyOf(moreObjects, length);
        }
        moreKinds[slot] = kind;
        moreNumbers[slot] = number;
        moreObjects[slot] = object;
    }

    @Override
    public TransactionLog.Step step() {
        if (whyNotReplayable() != null) {
            return null;
        }
        Remake remake = remake();
        Bindings bindings = bindings();
        return physical -> {
            PreparedStatement again = (PreparedStatement) remake.make(physical);
            bindings.bind(again);
            return again;
        };
    }

    @Override
    public String whyNotReplayable() {
        if (!keepsParameters) {
            return "retries are off, so bound parameters are not kept";
        }
        return unreplayable ? "a statement had a stream bound, which cannot be read twice" : null;
    }

    /** The text bound to parameter {@code index}, if kept (retries on) and bound as a string; else null. */
    @Override
    public final Object boundValue(int index) {
        Bindings bindings = bindings();
        return index < 1 || index > bindings.kinds.length ? null
                : text(bindings.kinds[index - 1], bindings.objects[index - 1]);
    }

    /** A copy of the parameters kept now (inline slots and overflow arrays, by index - 1). */
    private Bindings bindings() {
        int more = moreKinds == null ? 0 : moreKinds.length;
        Bindings bindings = new Bindings(new Parameter[INLINE + more], new long[INLINE + more], new Object[INLINE + more]);
        bindings.set(0, kind1, number1, object1);
        bindings.set(1, kind2, number2, object2);
        bindings.set(2, kind3, number3, object3);
        bindings.set(3, kind4, number4, object4);
        if (more > 0) {
            System.arraycopy(moreKinds, 0, bindings.kinds, INLINE, more);
            System.arraycopy(moreNumbers, 0, bindings.numbers, INLINE, more);
            System.arraycopy(moreObjects, 0, bindings.objects, INLINE, more);
        }
        return bindings;
    }

    /** Bound parameters by index - 1, to bind them again on another statement. */
    record Bindings(Parameter[] kinds, long[] numbers, Object[] objects) {

        void set(int slot, Parameter kind, long number, Object object) {
            kinds[slot] = kind;
            numbers[slot] = number;
            objects[slot] = object;
        }

        void bind(PreparedStatement statement) throws SQLException {
            for (int slot = 0; slot < kinds.length; slot++) {
                if (kinds[slot] != null) {
                    kinds[slot].bind(statement, slot + 1, numbers[slot], objects[slot]);
                }
            }
        }
    }

    private static Object text(Parameter kind, Object object) {
        return kind == Parameter.STRING || kind == Parameter.NSTRING || kind == Parameter.OBJECT ? object : null;
    }

    /** Keeps a parameter bound by a rarer setter, as the call that binds it again. */
    final void bind(int parameterIndex, Binding binding) {
        keep(parameterIndex, Parameter.OTHER, 0, binding);
    }

    final void unreplayable() {
        unreplayable = true;
    }

    private void forgetBindings() {
        kind1 = kind2 = kind3 = kind4 = null;
        object1 = object2 = object3 = object4 = null;
        if (moreKinds != null) {
            Arrays.fill(moreKinds, null);
            Arrays.fill(moreObjects, null);
        }
        unreplayable = false;
    }

    @Override
    void replace(Statement fresh) throws SQLException {
        super.replace(fresh);
        delegate = (PreparedStatement) fresh;
        if (!unreplayable) {
            bindings().bind(delegate);
        }
    }

    final void noteSize(long bytes) throws SQLException {
        if (bytes > largestParameter) {
            largestParameter = bytes;
            if (bytes >= Remedies.LARGE_VALUE_BYTES) {
                link.beforeLargeSend();
            }
        }
    }

    static long sizeOf(Object value) {
        if (value instanceof byte[]) {
            return ((byte[]) value).length;
        }
        return value instanceof CharSequence ? ((CharSequence) value).length() : 0;
    }

    @Override
    public void addBatch() throws SQLException {
        link.ensureLink();
        try {
            delegate.addBatch();
            if (!keepsParameters || unreplayable) {
                batchUnkept = true;
                batchRows = null;
            } else if (!batchUnkept) {
                if (batchRows == null) {
                    batchRows = new ArrayList<>();
                }
                batchRows.add(bindings());
            }
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    QueuedBatch takeBatch() {
        QueuedBatch batch = batchUnkept ? null : new QueuedBatch.Rows(batchRows == null ? List.of() : batchRows,
                ROW_BYTES + largestParameter);
        forgetBatch();
        return batch;
    }

    @Override
    void requeue(Statement fresh) throws SQLException {
        if (batchRows != null) {
            new QueuedBatch.Rows(batchRows, 0).queueOn(fresh);
        }
    }

    @Override
    void forgetBatch() {
        batchRows = null;
        batchUnkept = false;
    }

    @Override
    public void clearParameters() throws SQLException {
        link.ensureLink();
        try {
            delegate.clearParameters();
            largestParameter = 0;
            forgetBindings();
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

}
