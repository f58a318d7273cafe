package io.github.linkguard.internal.jdbc;

import io.github.linkguard.internal.remedy.Remedies;
import io.github.linkguard.internal.replay.TransactionLog;
import java.io.InputStream;
import java.io.Reader;
import java.math.BigDecimal;
import java.net.URL;
import java.sql.Array;
import java.sql.Blob;
import java.sql.Clob;
import java.sql.Date;
import java.sql.NClob;
import java.sql.ParameterMetaData;
import java.sql.PreparedStatement;
import java.sql.Ref;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.RowId;
import java.sql.SQLException;
import java.sql.SQLType;
import java.sql.SQLXML;
import java.sql.Time;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.Arrays;
import java.util.Calendar;

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

    GuardedPreparedStatement(GuardedConnection connection, PreparedStatement delegate, String sql, Recipe recipe) {
        super(connection, delegate, sql, recipe);
        this.delegate = delegate;
        this.keepsParameters = connection.retries();
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
    TransactionLog.Step step() {
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
    String whyNotReplayable() {
        if (!keepsParameters) {
            return "retries are off, so bound parameters are not kept";
        }
        return unreplayable ? "a statement had a stream bound, which cannot be read twice" : null;
    }

    /** The text bound to parameter {@code index}, if kept (retries on) and bound as a string; else null. */
    @Override
    final Object boundValue(int index) {
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
    private record Bindings(Parameter[] kinds, long[] numbers, Object[] objects) {

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
                connection.beforeLargeSend();
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
    public ResultSet executeQuery() throws SQLException {
        connection.ensureLink();
        if (streaming()) {
            connection.beforeStreaming();
        }
        ResultSet result;
        try {
            result = delegate.executeQuery();
            connection.ran(touchesSession, this.sql, this, RESULT);
        } catch (SQLException e) {
            result = connection.recover(e, this.sql, payloadBytes(), this, () -> delegate.executeQuery());
        }
        return results(result);
    }

    @Override
    public int executeUpdate() throws SQLException {
        connection.ensureLink();
        try {
            int result = delegate.executeUpdate();
            connection.ran(touchesSession, this.sql, this, result);
            return result;
        } catch (SQLException e) {
            return connection.recover(e, this.sql, payloadBytes(), this, () -> delegate.executeUpdate());
        }
    }

    @Override
    public void setNull(int parameterIndex, int sqlType) throws SQLException {
        connection.ensureLink();
        try {
            delegate.setNull(parameterIndex, sqlType);
            keep(parameterIndex, Parameter.NULL, sqlType, null);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setBoolean(int parameterIndex, boolean x) throws SQLException {
        connection.ensureLink();
        try {
            delegate.setBoolean(parameterIndex, x);
            keep(parameterIndex, Parameter.BOOLEAN, x ? 1 : 0, null);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setByte(int parameterIndex, byte x) throws SQLException {
        connection.ensureLink();
        try {
            delegate.setByte(parameterIndex, x);
            keep(parameterIndex, Parameter.BYTE, x, null);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setShort(int parameterIndex, short x) throws SQLException {
        connection.ensureLink();
        try {
            delegate.setShort(parameterIndex, x);
            keep(parameterIndex, Parameter.SHORT, x, null);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setInt(int parameterIndex, int x) throws SQLException {
        connection.ensureLink();
        try {
            delegate.setInt(parameterIndex, x);
            keep(parameterIndex, Parameter.INT, x, null);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setLong(int parameterIndex, long x) throws SQLException {
        connection.ensureLink();
        try {
            delegate.setLong(parameterIndex, x);
            keep(parameterIndex, Parameter.LONG, x, null);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setFloat(int parameterIndex, float x) throws SQLException {
        connection.ensureLink();
        try {
            delegate.setFloat(parameterIndex, x);
            keep(parameterIndex, Parameter.FLOAT, Float.floatToRawIntBits(x), null);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setDouble(int parameterIndex, double x) throws SQLException {
        connection.ensureLink();
        try {
            delegate.setDouble(parameterIndex, x);
            keep(parameterIndex, Parameter.DOUBLE, Double.doubleToRawLongBits(x), null);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setBigDecimal(int parameterIndex, BigDecimal x) throws SQLException {
        connection.ensureLink();
        try {
            delegate.setBigDecimal(parameterIndex, x);
            keep(parameterIndex, Parameter.BIG_DECIMAL, 0, x);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setString(int parameterIndex, String x) throws SQLException {
        connection.ensureLink();
        try {
            noteSize(x == null ? 0 : x.length());
            delegate.setString(parameterIndex, x);
            keep(parameterIndex, Parameter.STRING, 0, x);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setBytes(int parameterIndex, byte[] x) throws SQLException {
        connection.ensureLink();
        try {
            noteSize(x == null ? 0 : x.length);
            delegate.setBytes(parameterIndex, x);
            keep(parameterIndex, Parameter.BYTES, 0, x);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setDate(int parameterIndex, java.sql.Date x) throws SQLException {
        connection.ensureLink();
        try {
            delegate.setDate(parameterIndex, x);
            keep(parameterIndex, Parameter.DATE, 0, x);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setTime(int parameterIndex, java.sql.Time x) throws SQLException {
        connection.ensureLink();
        try {
            delegate.setTime(parameterIndex, x);
            keep(parameterIndex, Parameter.TIME, 0, x);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setTimestamp(int parameterIndex, java.sql.Timestamp x) throws SQLException {
        connection.ensureLink();
        try {
            delegate.setTimestamp(parameterIndex, x);
            keep(parameterIndex, Parameter.TIMESTAMP, 0, x);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setAsciiStream(int parameterIndex, java.io.InputStream x, int length) throws SQLException {
        connection.ensureLink();
        try {
            noteSize(length);
            delegate.setAsciiStream(parameterIndex, x, length);
            bind(parameterIndex, statement -> statement.setAsciiStream(parameterIndex, x, length));
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setUnicodeStream(int parameterIndex, java.io.InputStream x, int length) throws SQLException {
        connection.ensureLink();
        try {
            delegate.setUnicodeStream(parameterIndex, x, length);
            bind(parameterIndex, statement -> statement.setUnicodeStream(parameterIndex, x, length));
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setBinaryStream(int parameterIndex, java.io.InputStream x, int length) throws SQLException {
        connection.ensureLink();
        try {
            noteSize(length);
            delegate.setBinaryStream(parameterIndex, x, length);
            bind(parameterIndex, statement -> statement.setBinaryStream(parameterIndex, x, length));
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void clearParameters() throws SQLException {
        connection.ensureLink();
        try {
            delegate.clearParameters();
            largestParameter = 0;
            forgetBindings();
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setObject(int parameterIndex, Object x, int targetSqlType) throws SQLException {
        connection.ensureLink();
        try {
            noteSize(sizeOf(x));
            delegate.setObject(parameterIndex, x, targetSqlType);
            keep(parameterIndex, Parameter.OBJECT_AS, targetSqlType, x);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setObject(int parameterIndex, Object x) throws SQLException {
        connection.ensureLink();
        try {
            noteSize(sizeOf(x));
            delegate.setObject(parameterIndex, x);
            keep(parameterIndex, Parameter.OBJECT, 0, x);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public boolean execute() throws SQLException {
        connection.ensureLink();
        try {
            boolean result = delegate.execute();
            connection.ran(touchesSession, this.sql, this, result ? RESULT : ASK);
            return result;
        } catch (SQLException e) {
            return connection.recover(e, this.sql, payloadBytes(), this, () -> delegate.execute());
        }
    }

    @Override
    public void addBatch() throws SQLException {
        connection.ensureLink();
        try {
            delegate.addBatch();
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setCharacterStream(int parameterIndex, java.io.Reader reader, int length) throws SQLException {
        connection.ensureLink();
        try {
            noteSize(length);
            delegate.setCharacterStream(parameterIndex, reader, length);
            bind(parameterIndex, statement -> statement.setCharacterStream(parameterIndex, reader, length));
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setRef(int parameterIndex, Ref x) throws SQLException {
        connection.ensureLink();
        try {
            delegate.setRef(parameterIndex, x);
            bind(parameterIndex, statement -> statement.setRef(parameterIndex, x));
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setBlob(int parameterIndex, Blob x) throws SQLException {
        connection.ensureLink();
        try {
            delegate.setBlob(parameterIndex, x);
            bind(parameterIndex, statement -> statement.setBlob(parameterIndex, x));
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setClob(int parameterIndex, Clob x) throws SQLException {
        connection.ensureLink();
        try {
            delegate.setClob(parameterIndex, x);
            bind(parameterIndex, statement -> statement.setClob(parameterIndex, x));
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setArray(int parameterIndex, Array x) throws SQLException {
        connection.ensureLink();
        try {
            delegate.setArray(parameterIndex, x);
            bind(parameterIndex, statement -> statement.setArray(parameterIndex, x));
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public ResultSetMetaData getMetaData() throws SQLException {
        connection.ensureLink();
        try {
            return delegate.getMetaData();
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setDate(int parameterIndex, java.sql.Date x, Calendar cal) throws SQLException {
        connection.ensureLink();
        try {
            delegate.setDate(parameterIndex, x, cal);
            bind(parameterIndex, statement -> statement.setDate(parameterIndex, x, cal));
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setTime(int parameterIndex, java.sql.Time x, Calendar cal) throws SQLException {
        connection.ensureLink();
        try {
            delegate.setTime(parameterIndex, x, cal);
            bind(parameterIndex, statement -> statement.setTime(parameterIndex, x, cal));
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setTimestamp(int parameterIndex, java.sql.Timestamp x, Calendar cal) throws SQLException {
        connection.ensureLink();
        try {
            delegate.setTimestamp(parameterIndex, x, cal);
            bind(parameterIndex, statement -> statement.setTimestamp(parameterIndex, x, cal));
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setNull(int parameterIndex, int sqlType, String typeName) throws SQLException {
        connection.ensureLink();
        try {
            delegate.setNull(parameterIndex, sqlType, typeName);
            bind(parameterIndex, statement -> statement.setNull(parameterIndex, sqlType, typeName));
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setURL(int parameterIndex, java.net.URL x) throws SQLException {
        connection.ensureLink();
        try {
            delegate.setURL(parameterIndex, x);
            bind(parameterIndex, statement -> statement.setURL(parameterIndex, x));
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public ParameterMetaData getParameterMetaData() throws SQLException {
        connection.ensureLink();
        try {
            return delegate.getParameterMetaData();
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setRowId(int parameterIndex, RowId x) throws SQLException {
        connection.ensureLink();
        try {
            delegate.setRowId(parameterIndex, x);
            bind(parameterIndex, statement -> statement.setRowId(parameterIndex, x));
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setNString(int parameterIndex, String value) throws SQLException {
        connection.ensureLink();
        try {
            noteSize(value == null ? 0 : value.length());
            delegate.setNString(parameterIndex, value);
            keep(parameterIndex, Parameter.NSTRING, 0, value);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setNCharacterStream(int parameterIndex, Reader value, long length) throws SQLException {
        connection.ensureLink();
        try {
            noteSize(length);
            delegate.setNCharacterStream(parameterIndex, value, length);
            unreplayable();
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setNClob(int parameterIndex, NClob value) throws SQLException {
        connection.ensureLink();
        try {
            delegate.setNClob(parameterIndex, value);
            bind(parameterIndex, statement -> statement.setNClob(parameterIndex, value));
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setClob(int parameterIndex, Reader reader, long length) throws SQLException {
        connection.ensureLink();
        try {
            noteSize(length);
            delegate.setClob(parameterIndex, reader, length);
            unreplayable();
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setBlob(int parameterIndex, InputStream inputStream, long length) throws SQLException {
        connection.ensureLink();
        try {
            noteSize(length);
            delegate.setBlob(parameterIndex, inputStream, length);
            unreplayable();
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setNClob(int parameterIndex, Reader reader, long length) throws SQLException {
        connection.ensureLink();
        try {
            noteSize(length);
            delegate.setNClob(parameterIndex, reader, length);
            unreplayable();
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setSQLXML(int parameterIndex, SQLXML xmlObject) throws SQLException {
        connection.ensureLink();
        try {
            delegate.setSQLXML(parameterIndex, xmlObject);
            bind(parameterIndex, statement -> statement.setSQLXML(parameterIndex, xmlObject));
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setObject(int parameterIndex, Object x, int targetSqlType, int scaleOrLength) throws SQLException {
        connection.ensureLink();
        try {
            noteSize(sizeOf(x));
            delegate.setObject(parameterIndex, x, targetSqlType, scaleOrLength);
            bind(parameterIndex, statement -> statement.setObject(parameterIndex, x, targetSqlType, scaleOrLength));
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setAsciiStream(int parameterIndex, java.io.InputStream x, long length) throws SQLException {
        connection.ensureLink();
        try {
            noteSize(length);
            delegate.setAsciiStream(parameterIndex, x, length);
            bind(parameterIndex, statement -> statement.setAsciiStream(parameterIndex, x, length));
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setBinaryStream(int parameterIndex, java.io.InputStream x, long length) throws SQLException {
        connection.ensureLink();
        try {
            noteSize(length);
            delegate.setBinaryStream(parameterIndex, x, length);
            bind(parameterIndex, statement -> statement.setBinaryStream(parameterIndex, x, length));
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setCharacterStream(int parameterIndex, java.io.Reader reader, long length) throws SQLException {
        connection.ensureLink();
        try {
            noteSize(length);
            delegate.setCharacterStream(parameterIndex, reader, length);
            bind(parameterIndex, statement -> statement.setCharacterStream(parameterIndex, reader, length));
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setAsciiStream(int parameterIndex, java.io.InputStream x) throws SQLException {
        connection.ensureLink();
        try {
            delegate.setAsciiStream(parameterIndex, x);
            bind(parameterIndex, statement -> statement.setAsciiStream(parameterIndex, x));
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setBinaryStream(int parameterIndex, java.io.InputStream x) throws SQLException {
        connection.ensureLink();
        try {
            delegate.setBinaryStream(parameterIndex, x);
            bind(parameterIndex, statement -> statement.setBinaryStream(parameterIndex, x));
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setCharacterStream(int parameterIndex, java.io.Reader reader) throws SQLException {
        connection.ensureLink();
        try {
            delegate.setCharacterStream(parameterIndex, reader);
            bind(parameterIndex, statement -> statement.setCharacterStream(parameterIndex, reader));
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setNCharacterStream(int parameterIndex, Reader value) throws SQLException {
        connection.ensureLink();
        try {
            delegate.setNCharacterStream(parameterIndex, value);
            unreplayable();
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setClob(int parameterIndex, Reader reader) throws SQLException {
        connection.ensureLink();
        try {
            delegate.setClob(parameterIndex, reader);
            unreplayable();
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setBlob(int parameterIndex, InputStream inputStream) throws SQLException {
        connection.ensureLink();
        try {
            delegate.setBlob(parameterIndex, inputStream);
            unreplayable();
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setNClob(int parameterIndex, Reader reader) throws SQLException {
        connection.ensureLink();
        try {
            delegate.setNClob(parameterIndex, reader);
            unreplayable();
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setObject(int parameterIndex, Object x, SQLType targetSqlType, int scaleOrLength) throws SQLException {
        connection.ensureLink();
        try {
            noteSize(sizeOf(x));
            delegate.setObject(parameterIndex, x, targetSqlType, scaleOrLength);
            bind(parameterIndex, statement -> statement.setObject(parameterIndex, x, targetSqlType, scaleOrLength));
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setObject(int parameterIndex, Object x, SQLType targetSqlType) throws SQLException {
        connection.ensureLink();
        try {
            noteSize(sizeOf(x));
            delegate.setObject(parameterIndex, x, targetSqlType);
            bind(parameterIndex, statement -> statement.setObject(parameterIndex, x, targetSqlType));
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public long executeLargeUpdate() throws SQLException {
        connection.ensureLink();
        try {
            long result = delegate.executeLargeUpdate();
            connection.ran(touchesSession, this.sql, this, result);
            return result;
        } catch (SQLException e) {
            return connection.recover(e, this.sql, payloadBytes(), this, () -> delegate.executeLargeUpdate());
        }
    }
}
