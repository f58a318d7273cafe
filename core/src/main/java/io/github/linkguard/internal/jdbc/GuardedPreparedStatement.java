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
import java.sql.Timestamp;
import java.util.Calendar;

/**
 * The application's prepared statement: a {@link GuardedStatement} that also records the size of large
 * bound values (bytes, strings, streams and LOBs of known length), the evidence of a packet over
 * {@code max_allowed_packet}.
 */
public class GuardedPreparedStatement extends GuardedStatement implements PreparedStatement {

    private final PreparedStatement delegate;

    GuardedPreparedStatement(GuardedConnection connection, PreparedStatement delegate) {
        super(connection, delegate);
        this.delegate = delegate;
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
        try {
            ResultSet result = results(delegate.executeQuery());
            connection.markGood();
            return result;
        } catch (SQLException e) {
            throw failed(e, payloadBytes());
        }
    }

    @Override
    public int executeUpdate() throws SQLException {
        try {
            int result = delegate.executeUpdate();
            connection.markGood();
            return result;
        } catch (SQLException e) {
            throw failed(e, payloadBytes());
        }
    }

    @Override
    public void setNull(int parameterIndex, int sqlType) throws SQLException {
        try {
            delegate.setNull(parameterIndex, sqlType);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setBoolean(int parameterIndex, boolean x) throws SQLException {
        try {
            delegate.setBoolean(parameterIndex, x);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setByte(int parameterIndex, byte x) throws SQLException {
        try {
            delegate.setByte(parameterIndex, x);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setShort(int parameterIndex, short x) throws SQLException {
        try {
            delegate.setShort(parameterIndex, x);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setInt(int parameterIndex, int x) throws SQLException {
        try {
            delegate.setInt(parameterIndex, x);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setLong(int parameterIndex, long x) throws SQLException {
        try {
            delegate.setLong(parameterIndex, x);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setFloat(int parameterIndex, float x) throws SQLException {
        try {
            delegate.setFloat(parameterIndex, x);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setDouble(int parameterIndex, double x) throws SQLException {
        try {
            delegate.setDouble(parameterIndex, x);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setBigDecimal(int parameterIndex, BigDecimal x) throws SQLException {
        try {
            delegate.setBigDecimal(parameterIndex, x);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setString(int parameterIndex, String x) throws SQLException {
        try {
            noteSize(x == null ? 0 : x.length());
            delegate.setString(parameterIndex, x);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setBytes(int parameterIndex, byte[] x) throws SQLException {
        try {
            noteSize(x == null ? 0 : x.length);
            delegate.setBytes(parameterIndex, x);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setDate(int parameterIndex, java.sql.Date x) throws SQLException {
        try {
            delegate.setDate(parameterIndex, x);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setTime(int parameterIndex, java.sql.Time x) throws SQLException {
        try {
            delegate.setTime(parameterIndex, x);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setTimestamp(int parameterIndex, java.sql.Timestamp x) throws SQLException {
        try {
            delegate.setTimestamp(parameterIndex, x);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setAsciiStream(int parameterIndex, java.io.InputStream x, int length) throws SQLException {
        try {
            noteSize(length);
            delegate.setAsciiStream(parameterIndex, x, length);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setUnicodeStream(int parameterIndex, java.io.InputStream x, int length) throws SQLException {
        try {
            delegate.setUnicodeStream(parameterIndex, x, length);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setBinaryStream(int parameterIndex, java.io.InputStream x, int length) throws SQLException {
        try {
            noteSize(length);
            delegate.setBinaryStream(parameterIndex, x, length);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void clearParameters() throws SQLException {
        try {
            delegate.clearParameters();
            largestParameter = 0;
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setObject(int parameterIndex, Object x, int targetSqlType) throws SQLException {
        try {
            noteSize(sizeOf(x));
            delegate.setObject(parameterIndex, x, targetSqlType);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setObject(int parameterIndex, Object x) throws SQLException {
        try {
            noteSize(sizeOf(x));
            delegate.setObject(parameterIndex, x);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public boolean execute() throws SQLException {
        try {
            boolean result = delegate.execute();
            connection.markGood();
            return result;
        } catch (SQLException e) {
            throw failed(e, payloadBytes());
        }
    }

    @Override
    public void addBatch() throws SQLException {
        try {
            delegate.addBatch();
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setCharacterStream(int parameterIndex, java.io.Reader reader, int length) throws SQLException {
        try {
            noteSize(length);
            delegate.setCharacterStream(parameterIndex, reader, length);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setRef(int parameterIndex, Ref x) throws SQLException {
        try {
            delegate.setRef(parameterIndex, x);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setBlob(int parameterIndex, Blob x) throws SQLException {
        try {
            delegate.setBlob(parameterIndex, x);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setClob(int parameterIndex, Clob x) throws SQLException {
        try {
            delegate.setClob(parameterIndex, x);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setArray(int parameterIndex, Array x) throws SQLException {
        try {
            delegate.setArray(parameterIndex, x);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public ResultSetMetaData getMetaData() throws SQLException {
        try {
            return delegate.getMetaData();
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setDate(int parameterIndex, java.sql.Date x, Calendar cal) throws SQLException {
        try {
            delegate.setDate(parameterIndex, x, cal);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setTime(int parameterIndex, java.sql.Time x, Calendar cal) throws SQLException {
        try {
            delegate.setTime(parameterIndex, x, cal);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setTimestamp(int parameterIndex, java.sql.Timestamp x, Calendar cal) throws SQLException {
        try {
            delegate.setTimestamp(parameterIndex, x, cal);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setNull(int parameterIndex, int sqlType, String typeName) throws SQLException {
        try {
            delegate.setNull(parameterIndex, sqlType, typeName);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setURL(int parameterIndex, java.net.URL x) throws SQLException {
        try {
            delegate.setURL(parameterIndex, x);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public ParameterMetaData getParameterMetaData() throws SQLException {
        try {
            return delegate.getParameterMetaData();
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setRowId(int parameterIndex, RowId x) throws SQLException {
        try {
            delegate.setRowId(parameterIndex, x);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setNString(int parameterIndex, String value) throws SQLException {
        try {
            noteSize(value == null ? 0 : value.length());
            delegate.setNString(parameterIndex, value);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setNCharacterStream(int parameterIndex, Reader value, long length) throws SQLException {
        try {
            noteSize(length);
            delegate.setNCharacterStream(parameterIndex, value, length);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setNClob(int parameterIndex, NClob value) throws SQLException {
        try {
            delegate.setNClob(parameterIndex, value);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setClob(int parameterIndex, Reader reader, long length) throws SQLException {
        try {
            noteSize(length);
            delegate.setClob(parameterIndex, reader, length);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setBlob(int parameterIndex, InputStream inputStream, long length) throws SQLException {
        try {
            noteSize(length);
            delegate.setBlob(parameterIndex, inputStream, length);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setNClob(int parameterIndex, Reader reader, long length) throws SQLException {
        try {
            noteSize(length);
            delegate.setNClob(parameterIndex, reader, length);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setSQLXML(int parameterIndex, SQLXML xmlObject) throws SQLException {
        try {
            delegate.setSQLXML(parameterIndex, xmlObject);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setObject(int parameterIndex, Object x, int targetSqlType, int scaleOrLength) throws SQLException {
        try {
            noteSize(sizeOf(x));
            delegate.setObject(parameterIndex, x, targetSqlType, scaleOrLength);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setAsciiStream(int parameterIndex, java.io.InputStream x, long length) throws SQLException {
        try {
            noteSize(length);
            delegate.setAsciiStream(parameterIndex, x, length);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setBinaryStream(int parameterIndex, java.io.InputStream x, long length) throws SQLException {
        try {
            noteSize(length);
            delegate.setBinaryStream(parameterIndex, x, length);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setCharacterStream(int parameterIndex, java.io.Reader reader, long length) throws SQLException {
        try {
            noteSize(length);
            delegate.setCharacterStream(parameterIndex, reader, length);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setAsciiStream(int parameterIndex, java.io.InputStream x) throws SQLException {
        try {
            delegate.setAsciiStream(parameterIndex, x);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setBinaryStream(int parameterIndex, java.io.InputStream x) throws SQLException {
        try {
            delegate.setBinaryStream(parameterIndex, x);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setCharacterStream(int parameterIndex, java.io.Reader reader) throws SQLException {
        try {
            delegate.setCharacterStream(parameterIndex, reader);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setNCharacterStream(int parameterIndex, Reader value) throws SQLException {
        try {
            delegate.setNCharacterStream(parameterIndex, value);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setClob(int parameterIndex, Reader reader) throws SQLException {
        try {
            delegate.setClob(parameterIndex, reader);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setBlob(int parameterIndex, InputStream inputStream) throws SQLException {
        try {
            delegate.setBlob(parameterIndex, inputStream);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setNClob(int parameterIndex, Reader reader) throws SQLException {
        try {
            delegate.setNClob(parameterIndex, reader);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setObject(int parameterIndex, Object x, SQLType targetSqlType, int scaleOrLength) throws SQLException {
        try {
            noteSize(sizeOf(x));
            delegate.setObject(parameterIndex, x, targetSqlType, scaleOrLength);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setObject(int parameterIndex, Object x, SQLType targetSqlType) throws SQLException {
        try {
            noteSize(sizeOf(x));
            delegate.setObject(parameterIndex, x, targetSqlType);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public long executeLargeUpdate() throws SQLException {
        try {
            long result = delegate.executeLargeUpdate();
            connection.markGood();
            return result;
        } catch (SQLException e) {
            throw failed(e, payloadBytes());
        }
    }
}
