package io.github.linkguard.internal.jdbc;

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
 * {@code max_allowed_packet}.
 */
@SuppressWarnings("deprecation") // JDBC's deprecated methods must still be delegated
public class GuardedPreparedStatement extends GuardedStatement implements PreparedStatement {

    /** Binds one parameter again on a re-created statement. */
    @FunctionalInterface
    interface Binding {
        void apply(PreparedStatement statement) throws SQLException;
    }

    private PreparedStatement delegate;
    /** The parameters bound, by index, kept while retries are on; null until the first. */
    private Binding[] bindings;
    /** A stream or reader was bound: it cannot be read twice, so it cannot be re-bound. */
    private boolean unreplayable;

    GuardedPreparedStatement(GuardedConnection connection, PreparedStatement delegate, String sql, Recipe recipe) {
        super(connection, delegate, sql, recipe);
        this.delegate = delegate;
    }

    final void bind(int parameterIndex, Binding binding) {
        if (!connection.retries() || parameterIndex < 1) {
            return;
        }
        if (bindings == null || parameterIndex > bindings.length) {
            bindings = Arrays.copyOf(bindings == null ? new Binding[0] : bindings, Math.max(parameterIndex, 8));
        }
        bindings[parameterIndex - 1] = binding;
    }

    final void unreplayable() {
        unreplayable = true;
    }

    private void forgetBindings() {
        if (bindings != null) {
            Arrays.fill(bindings, null);
        }
        unreplayable = false;
    }

    @Override
    void replace(Statement fresh) throws SQLException {
        super.replace(fresh);
        delegate = (PreparedStatement) fresh;
        if (bindings != null && !unreplayable) {
            for (Binding binding : bindings) {
                if (binding != null) {
                    binding.apply(delegate);
                }
            }
        }
    }

    final void noteSize(long bytes) {
        if (bytes > largestParameter) {
            largestParameter = bytes;
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
        try {
            ResultSet result = results(delegate.executeQuery());
            connection.markGood();
            return result;
        } catch (SQLException e) {
            return connection.recover(e, this.sql, payloadBytes(), () -> results(delegate.executeQuery()));
        }
    }

    @Override
    public int executeUpdate() throws SQLException {
        connection.ensureLink();
        try {
            int result = delegate.executeUpdate();
            connection.markGood();
            return result;
        } catch (SQLException e) {
            return connection.recover(e, this.sql, payloadBytes(), () -> delegate.executeUpdate());
        }
    }

    @Override
    public void setNull(int parameterIndex, int sqlType) throws SQLException {
        connection.ensureLink();
        try {
            delegate.setNull(parameterIndex, sqlType);
            bind(parameterIndex, statement -> statement.setNull(parameterIndex, sqlType));
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setBoolean(int parameterIndex, boolean x) throws SQLException {
        connection.ensureLink();
        try {
            delegate.setBoolean(parameterIndex, x);
            bind(parameterIndex, statement -> statement.setBoolean(parameterIndex, x));
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setByte(int parameterIndex, byte x) throws SQLException {
        connection.ensureLink();
        try {
            delegate.setByte(parameterIndex, x);
            bind(parameterIndex, statement -> statement.setByte(parameterIndex, x));
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setShort(int parameterIndex, short x) throws SQLException {
        connection.ensureLink();
        try {
            delegate.setShort(parameterIndex, x);
            bind(parameterIndex, statement -> statement.setShort(parameterIndex, x));
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setInt(int parameterIndex, int x) throws SQLException {
        connection.ensureLink();
        try {
            delegate.setInt(parameterIndex, x);
            bind(parameterIndex, statement -> statement.setInt(parameterIndex, x));
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setLong(int parameterIndex, long x) throws SQLException {
        connection.ensureLink();
        try {
            delegate.setLong(parameterIndex, x);
            bind(parameterIndex, statement -> statement.setLong(parameterIndex, x));
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setFloat(int parameterIndex, float x) throws SQLException {
        connection.ensureLink();
        try {
            delegate.setFloat(parameterIndex, x);
            bind(parameterIndex, statement -> statement.setFloat(parameterIndex, x));
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setDouble(int parameterIndex, double x) throws SQLException {
        connection.ensureLink();
        try {
            delegate.setDouble(parameterIndex, x);
            bind(parameterIndex, statement -> statement.setDouble(parameterIndex, x));
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setBigDecimal(int parameterIndex, BigDecimal x) throws SQLException {
        connection.ensureLink();
        try {
            delegate.setBigDecimal(parameterIndex, x);
            bind(parameterIndex, statement -> statement.setBigDecimal(parameterIndex, x));
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
            bind(parameterIndex, statement -> statement.setString(parameterIndex, x));
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
            bind(parameterIndex, statement -> statement.setBytes(parameterIndex, x));
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setDate(int parameterIndex, java.sql.Date x) throws SQLException {
        connection.ensureLink();
        try {
            delegate.setDate(parameterIndex, x);
            bind(parameterIndex, statement -> statement.setDate(parameterIndex, x));
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setTime(int parameterIndex, java.sql.Time x) throws SQLException {
        connection.ensureLink();
        try {
            delegate.setTime(parameterIndex, x);
            bind(parameterIndex, statement -> statement.setTime(parameterIndex, x));
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setTimestamp(int parameterIndex, java.sql.Timestamp x) throws SQLException {
        connection.ensureLink();
        try {
            delegate.setTimestamp(parameterIndex, x);
            bind(parameterIndex, statement -> statement.setTimestamp(parameterIndex, x));
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
            bind(parameterIndex, statement -> statement.setObject(parameterIndex, x, targetSqlType));
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
            bind(parameterIndex, statement -> statement.setObject(parameterIndex, x));
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public boolean execute() throws SQLException {
        connection.ensureLink();
        try {
            boolean result = delegate.execute();
            connection.markGood();
            return result;
        } catch (SQLException e) {
            return connection.recover(e, this.sql, payloadBytes(), () -> delegate.execute());
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
            bind(parameterIndex, statement -> statement.setNString(parameterIndex, value));
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
            connection.markGood();
            return result;
        } catch (SQLException e) {
            return connection.recover(e, this.sql, payloadBytes(), () -> delegate.executeLargeUpdate());
        }
    }
}
