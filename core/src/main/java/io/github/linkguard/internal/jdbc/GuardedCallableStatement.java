package io.github.linkguard.internal.jdbc;

import io.github.linkguard.internal.replay.TransactionLog;
import java.io.InputStream;
import java.io.Reader;
import java.math.BigDecimal;
import java.net.URL;
import java.sql.Array;
import java.sql.Blob;
import java.sql.CallableStatement;
import java.sql.Clob;
import java.sql.Date;
import java.sql.NClob;
import java.sql.Ref;
import java.sql.RowId;
import java.sql.SQLException;
import java.sql.SQLType;
import java.sql.SQLXML;
import java.sql.Statement;
import java.sql.Time;
import java.sql.Timestamp;
import java.util.Calendar;
import java.util.Map;

/** The application's callable statement: a {@link GuardedPreparedStatement} for stored procedures. */
@SuppressWarnings("deprecation") // JDBC's deprecated methods must still be delegated
public final class GuardedCallableStatement extends GuardedPreparedStatement implements CallableStatement {

    private CallableStatement delegate;

    GuardedCallableStatement(GuardedConnection connection, CallableStatement delegate, String sql, Recipe recipe) {
        super(connection, delegate, sql, recipe);
        this.delegate = delegate;
    }

    /** A procedure's work and OUT parameters are not seen by the replay's digests: it is not replayed. */
    @Override
    TransactionLog.Step step() {
        return null;
    }

    @Override
    String whyNotReplayable() {
        return "it called a stored procedure, whose work and OUT parameters a replay cannot compare";
    }

    @Override
    void replace(Statement fresh) throws SQLException {
        super.replace(fresh);
        delegate = (CallableStatement) fresh;
    }

    @Override
    public void registerOutParameter(int parameterIndex, int sqlType) throws SQLException {
        connection.ensureLink();
        try {
            delegate.registerOutParameter(parameterIndex, sqlType);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void registerOutParameter(int parameterIndex, int sqlType, int scale) throws SQLException {
        connection.ensureLink();
        try {
            delegate.registerOutParameter(parameterIndex, sqlType, scale);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public boolean wasNull() throws SQLException {
        connection.ensureLink();
        try {
            return delegate.wasNull();
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public String getString(int parameterIndex) throws SQLException {
        connection.ensureLink();
        try {
            return delegate.getString(parameterIndex);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public boolean getBoolean(int parameterIndex) throws SQLException {
        connection.ensureLink();
        try {
            return delegate.getBoolean(parameterIndex);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public byte getByte(int parameterIndex) throws SQLException {
        connection.ensureLink();
        try {
            return delegate.getByte(parameterIndex);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public short getShort(int parameterIndex) throws SQLException {
        connection.ensureLink();
        try {
            return delegate.getShort(parameterIndex);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public int getInt(int parameterIndex) throws SQLException {
        connection.ensureLink();
        try {
            return delegate.getInt(parameterIndex);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public long getLong(int parameterIndex) throws SQLException {
        connection.ensureLink();
        try {
            return delegate.getLong(parameterIndex);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public float getFloat(int parameterIndex) throws SQLException {
        connection.ensureLink();
        try {
            return delegate.getFloat(parameterIndex);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public double getDouble(int parameterIndex) throws SQLException {
        connection.ensureLink();
        try {
            return delegate.getDouble(parameterIndex);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public BigDecimal getBigDecimal(int parameterIndex, int scale) throws SQLException {
        connection.ensureLink();
        try {
            return delegate.getBigDecimal(parameterIndex, scale);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public byte[] getBytes(int parameterIndex) throws SQLException {
        connection.ensureLink();
        try {
            return delegate.getBytes(parameterIndex);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public java.sql.Date getDate(int parameterIndex) throws SQLException {
        connection.ensureLink();
        try {
            return delegate.getDate(parameterIndex);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public java.sql.Time getTime(int parameterIndex) throws SQLException {
        connection.ensureLink();
        try {
            return delegate.getTime(parameterIndex);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public java.sql.Timestamp getTimestamp(int parameterIndex) throws SQLException {
        connection.ensureLink();
        try {
            return delegate.getTimestamp(parameterIndex);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public Object getObject(int parameterIndex) throws SQLException {
        connection.ensureLink();
        try {
            return delegate.getObject(parameterIndex);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public BigDecimal getBigDecimal(int parameterIndex) throws SQLException {
        connection.ensureLink();
        try {
            return delegate.getBigDecimal(parameterIndex);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public Object getObject(int parameterIndex, java.util.Map<String,Class<?>> map) throws SQLException {
        connection.ensureLink();
        try {
            return delegate.getObject(parameterIndex, map);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public Ref getRef(int parameterIndex) throws SQLException {
        connection.ensureLink();
        try {
            return delegate.getRef(parameterIndex);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public Blob getBlob(int parameterIndex) throws SQLException {
        connection.ensureLink();
        try {
            return delegate.getBlob(parameterIndex);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public Clob getClob(int parameterIndex) throws SQLException {
        connection.ensureLink();
        try {
            return delegate.getClob(parameterIndex);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public Array getArray(int parameterIndex) throws SQLException {
        connection.ensureLink();
        try {
            return delegate.getArray(parameterIndex);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public java.sql.Date getDate(int parameterIndex, Calendar cal) throws SQLException {
        connection.ensureLink();
        try {
            return delegate.getDate(parameterIndex, cal);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public java.sql.Time getTime(int parameterIndex, Calendar cal) throws SQLException {
        connection.ensureLink();
        try {
            return delegate.getTime(parameterIndex, cal);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public java.sql.Timestamp getTimestamp(int parameterIndex, Calendar cal) throws SQLException {
        connection.ensureLink();
        try {
            return delegate.getTimestamp(parameterIndex, cal);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void registerOutParameter(int parameterIndex, int sqlType, String typeName) throws SQLException {
        connection.ensureLink();
        try {
            delegate.registerOutParameter(parameterIndex, sqlType, typeName);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void registerOutParameter(String parameterName, int sqlType) throws SQLException {
        connection.ensureLink();
        try {
            delegate.registerOutParameter(parameterName, sqlType);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void registerOutParameter(String parameterName, int sqlType, int scale) throws SQLException {
        connection.ensureLink();
        try {
            delegate.registerOutParameter(parameterName, sqlType, scale);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void registerOutParameter(String parameterName, int sqlType, String typeName) throws SQLException {
        connection.ensureLink();
        try {
            delegate.registerOutParameter(parameterName, sqlType, typeName);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public java.net.URL getURL(int parameterIndex) throws SQLException {
        connection.ensureLink();
        try {
            return delegate.getURL(parameterIndex);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setURL(String parameterName, java.net.URL val) throws SQLException {
        connection.ensureLink();
        try {
            delegate.setURL(parameterName, val);
            unreplayable();
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setNull(String parameterName, int sqlType) throws SQLException {
        connection.ensureLink();
        try {
            delegate.setNull(parameterName, sqlType);
            unreplayable();
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setBoolean(String parameterName, boolean x) throws SQLException {
        connection.ensureLink();
        try {
            delegate.setBoolean(parameterName, x);
            unreplayable();
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setByte(String parameterName, byte x) throws SQLException {
        connection.ensureLink();
        try {
            delegate.setByte(parameterName, x);
            unreplayable();
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setShort(String parameterName, short x) throws SQLException {
        connection.ensureLink();
        try {
            delegate.setShort(parameterName, x);
            unreplayable();
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setInt(String parameterName, int x) throws SQLException {
        connection.ensureLink();
        try {
            delegate.setInt(parameterName, x);
            unreplayable();
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setLong(String parameterName, long x) throws SQLException {
        connection.ensureLink();
        try {
            delegate.setLong(parameterName, x);
            unreplayable();
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setFloat(String parameterName, float x) throws SQLException {
        connection.ensureLink();
        try {
            delegate.setFloat(parameterName, x);
            unreplayable();
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setDouble(String parameterName, double x) throws SQLException {
        connection.ensureLink();
        try {
            delegate.setDouble(parameterName, x);
            unreplayable();
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setBigDecimal(String parameterName, BigDecimal x) throws SQLException {
        connection.ensureLink();
        try {
            delegate.setBigDecimal(parameterName, x);
            unreplayable();
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setString(String parameterName, String x) throws SQLException {
        connection.ensureLink();
        try {
            noteSize(x == null ? 0 : x.length());
            delegate.setString(parameterName, x);
            unreplayable();
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setBytes(String parameterName, byte[] x) throws SQLException {
        connection.ensureLink();
        try {
            noteSize(x == null ? 0 : x.length);
            delegate.setBytes(parameterName, x);
            unreplayable();
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setDate(String parameterName, java.sql.Date x) throws SQLException {
        connection.ensureLink();
        try {
            delegate.setDate(parameterName, x);
            unreplayable();
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setTime(String parameterName, java.sql.Time x) throws SQLException {
        connection.ensureLink();
        try {
            delegate.setTime(parameterName, x);
            unreplayable();
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setTimestamp(String parameterName, java.sql.Timestamp x) throws SQLException {
        connection.ensureLink();
        try {
            delegate.setTimestamp(parameterName, x);
            unreplayable();
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setAsciiStream(String parameterName, java.io.InputStream x, int length) throws SQLException {
        connection.ensureLink();
        try {
            noteSize(length);
            delegate.setAsciiStream(parameterName, x, length);
            unreplayable();
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setBinaryStream(String parameterName, java.io.InputStream x, int length) throws SQLException {
        connection.ensureLink();
        try {
            noteSize(length);
            delegate.setBinaryStream(parameterName, x, length);
            unreplayable();
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setObject(String parameterName, Object x, int targetSqlType, int scale) throws SQLException {
        connection.ensureLink();
        try {
            noteSize(sizeOf(x));
            delegate.setObject(parameterName, x, targetSqlType, scale);
            unreplayable();
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setObject(String parameterName, Object x, int targetSqlType) throws SQLException {
        connection.ensureLink();
        try {
            noteSize(sizeOf(x));
            delegate.setObject(parameterName, x, targetSqlType);
            unreplayable();
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setObject(String parameterName, Object x) throws SQLException {
        connection.ensureLink();
        try {
            noteSize(sizeOf(x));
            delegate.setObject(parameterName, x);
            unreplayable();
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setCharacterStream(String parameterName, java.io.Reader reader, int length) throws SQLException {
        connection.ensureLink();
        try {
            noteSize(length);
            delegate.setCharacterStream(parameterName, reader, length);
            unreplayable();
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setDate(String parameterName, java.sql.Date x, Calendar cal) throws SQLException {
        connection.ensureLink();
        try {
            delegate.setDate(parameterName, x, cal);
            unreplayable();
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setTime(String parameterName, java.sql.Time x, Calendar cal) throws SQLException {
        connection.ensureLink();
        try {
            delegate.setTime(parameterName, x, cal);
            unreplayable();
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setTimestamp(String parameterName, java.sql.Timestamp x, Calendar cal) throws SQLException {
        connection.ensureLink();
        try {
            delegate.setTimestamp(parameterName, x, cal);
            unreplayable();
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setNull(String parameterName, int sqlType, String typeName) throws SQLException {
        connection.ensureLink();
        try {
            delegate.setNull(parameterName, sqlType, typeName);
            unreplayable();
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public String getString(String parameterName) throws SQLException {
        connection.ensureLink();
        try {
            return delegate.getString(parameterName);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public boolean getBoolean(String parameterName) throws SQLException {
        connection.ensureLink();
        try {
            return delegate.getBoolean(parameterName);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public byte getByte(String parameterName) throws SQLException {
        connection.ensureLink();
        try {
            return delegate.getByte(parameterName);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public short getShort(String parameterName) throws SQLException {
        connection.ensureLink();
        try {
            return delegate.getShort(parameterName);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public int getInt(String parameterName) throws SQLException {
        connection.ensureLink();
        try {
            return delegate.getInt(parameterName);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public long getLong(String parameterName) throws SQLException {
        connection.ensureLink();
        try {
            return delegate.getLong(parameterName);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public float getFloat(String parameterName) throws SQLException {
        connection.ensureLink();
        try {
            return delegate.getFloat(parameterName);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public double getDouble(String parameterName) throws SQLException {
        connection.ensureLink();
        try {
            return delegate.getDouble(parameterName);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public byte[] getBytes(String parameterName) throws SQLException {
        connection.ensureLink();
        try {
            return delegate.getBytes(parameterName);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public java.sql.Date getDate(String parameterName) throws SQLException {
        connection.ensureLink();
        try {
            return delegate.getDate(parameterName);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public java.sql.Time getTime(String parameterName) throws SQLException {
        connection.ensureLink();
        try {
            return delegate.getTime(parameterName);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public java.sql.Timestamp getTimestamp(String parameterName) throws SQLException {
        connection.ensureLink();
        try {
            return delegate.getTimestamp(parameterName);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public Object getObject(String parameterName) throws SQLException {
        connection.ensureLink();
        try {
            return delegate.getObject(parameterName);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public BigDecimal getBigDecimal(String parameterName) throws SQLException {
        connection.ensureLink();
        try {
            return delegate.getBigDecimal(parameterName);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public Object getObject(String parameterName, java.util.Map<String,Class<?>> map) throws SQLException {
        connection.ensureLink();
        try {
            return delegate.getObject(parameterName, map);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public Ref getRef(String parameterName) throws SQLException {
        connection.ensureLink();
        try {
            return delegate.getRef(parameterName);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public Blob getBlob(String parameterName) throws SQLException {
        connection.ensureLink();
        try {
            return delegate.getBlob(parameterName);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public Clob getClob(String parameterName) throws SQLException {
        connection.ensureLink();
        try {
            return delegate.getClob(parameterName);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public Array getArray(String parameterName) throws SQLException {
        connection.ensureLink();
        try {
            return delegate.getArray(parameterName);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public java.sql.Date getDate(String parameterName, Calendar cal) throws SQLException {
        connection.ensureLink();
        try {
            return delegate.getDate(parameterName, cal);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public java.sql.Time getTime(String parameterName, Calendar cal) throws SQLException {
        connection.ensureLink();
        try {
            return delegate.getTime(parameterName, cal);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public java.sql.Timestamp getTimestamp(String parameterName, Calendar cal) throws SQLException {
        connection.ensureLink();
        try {
            return delegate.getTimestamp(parameterName, cal);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public java.net.URL getURL(String parameterName) throws SQLException {
        connection.ensureLink();
        try {
            return delegate.getURL(parameterName);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public RowId getRowId(int parameterIndex) throws SQLException {
        connection.ensureLink();
        try {
            return delegate.getRowId(parameterIndex);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public RowId getRowId(String parameterName) throws SQLException {
        connection.ensureLink();
        try {
            return delegate.getRowId(parameterName);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setRowId(String parameterName, RowId x) throws SQLException {
        connection.ensureLink();
        try {
            delegate.setRowId(parameterName, x);
            unreplayable();
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setNString(String parameterName, String value) throws SQLException {
        connection.ensureLink();
        try {
            noteSize(value == null ? 0 : value.length());
            delegate.setNString(parameterName, value);
            unreplayable();
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setNCharacterStream(String parameterName, Reader value, long length) throws SQLException {
        connection.ensureLink();
        try {
            noteSize(length);
            delegate.setNCharacterStream(parameterName, value, length);
            unreplayable();
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setNClob(String parameterName, NClob value) throws SQLException {
        connection.ensureLink();
        try {
            delegate.setNClob(parameterName, value);
            unreplayable();
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setClob(String parameterName, Reader reader, long length) throws SQLException {
        connection.ensureLink();
        try {
            noteSize(length);
            delegate.setClob(parameterName, reader, length);
            unreplayable();
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setBlob(String parameterName, InputStream inputStream, long length) throws SQLException {
        connection.ensureLink();
        try {
            noteSize(length);
            delegate.setBlob(parameterName, inputStream, length);
            unreplayable();
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setNClob(String parameterName, Reader reader, long length) throws SQLException {
        connection.ensureLink();
        try {
            noteSize(length);
            delegate.setNClob(parameterName, reader, length);
            unreplayable();
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public NClob getNClob(int parameterIndex) throws SQLException {
        connection.ensureLink();
        try {
            return delegate.getNClob(parameterIndex);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public NClob getNClob(String parameterName) throws SQLException {
        connection.ensureLink();
        try {
            return delegate.getNClob(parameterName);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setSQLXML(String parameterName, SQLXML xmlObject) throws SQLException {
        connection.ensureLink();
        try {
            delegate.setSQLXML(parameterName, xmlObject);
            unreplayable();
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public SQLXML getSQLXML(int parameterIndex) throws SQLException {
        connection.ensureLink();
        try {
            return delegate.getSQLXML(parameterIndex);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public SQLXML getSQLXML(String parameterName) throws SQLException {
        connection.ensureLink();
        try {
            return delegate.getSQLXML(parameterName);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public String getNString(int parameterIndex) throws SQLException {
        connection.ensureLink();
        try {
            return delegate.getNString(parameterIndex);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public String getNString(String parameterName) throws SQLException {
        connection.ensureLink();
        try {
            return delegate.getNString(parameterName);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public java.io.Reader getNCharacterStream(int parameterIndex) throws SQLException {
        connection.ensureLink();
        try {
            return delegate.getNCharacterStream(parameterIndex);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public java.io.Reader getNCharacterStream(String parameterName) throws SQLException {
        connection.ensureLink();
        try {
            return delegate.getNCharacterStream(parameterName);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public java.io.Reader getCharacterStream(int parameterIndex) throws SQLException {
        connection.ensureLink();
        try {
            return delegate.getCharacterStream(parameterIndex);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public java.io.Reader getCharacterStream(String parameterName) throws SQLException {
        connection.ensureLink();
        try {
            return delegate.getCharacterStream(parameterName);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setBlob(String parameterName, Blob x) throws SQLException {
        connection.ensureLink();
        try {
            delegate.setBlob(parameterName, x);
            unreplayable();
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setClob(String parameterName, Clob x) throws SQLException {
        connection.ensureLink();
        try {
            delegate.setClob(parameterName, x);
            unreplayable();
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setAsciiStream(String parameterName, java.io.InputStream x, long length) throws SQLException {
        connection.ensureLink();
        try {
            noteSize(length);
            delegate.setAsciiStream(parameterName, x, length);
            unreplayable();
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setBinaryStream(String parameterName, java.io.InputStream x, long length) throws SQLException {
        connection.ensureLink();
        try {
            noteSize(length);
            delegate.setBinaryStream(parameterName, x, length);
            unreplayable();
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setCharacterStream(String parameterName, java.io.Reader reader, long length) throws SQLException {
        connection.ensureLink();
        try {
            noteSize(length);
            delegate.setCharacterStream(parameterName, reader, length);
            unreplayable();
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setAsciiStream(String parameterName, java.io.InputStream x) throws SQLException {
        connection.ensureLink();
        try {
            delegate.setAsciiStream(parameterName, x);
            unreplayable();
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setBinaryStream(String parameterName, java.io.InputStream x) throws SQLException {
        connection.ensureLink();
        try {
            delegate.setBinaryStream(parameterName, x);
            unreplayable();
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setCharacterStream(String parameterName, java.io.Reader reader) throws SQLException {
        connection.ensureLink();
        try {
            delegate.setCharacterStream(parameterName, reader);
            unreplayable();
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setNCharacterStream(String parameterName, Reader value) throws SQLException {
        connection.ensureLink();
        try {
            delegate.setNCharacterStream(parameterName, value);
            unreplayable();
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setClob(String parameterName, Reader reader) throws SQLException {
        connection.ensureLink();
        try {
            delegate.setClob(parameterName, reader);
            unreplayable();
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setBlob(String parameterName, InputStream inputStream) throws SQLException {
        connection.ensureLink();
        try {
            delegate.setBlob(parameterName, inputStream);
            unreplayable();
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setNClob(String parameterName, Reader reader) throws SQLException {
        connection.ensureLink();
        try {
            delegate.setNClob(parameterName, reader);
            unreplayable();
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public <T> T getObject(int parameterIndex, Class<T> type) throws SQLException {
        connection.ensureLink();
        try {
            return delegate.getObject(parameterIndex, type);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public <T> T getObject(String parameterName, Class<T> type) throws SQLException {
        connection.ensureLink();
        try {
            return delegate.getObject(parameterName, type);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setObject(String parameterName, Object x, SQLType targetSqlType, int scaleOrLength) throws SQLException {
        connection.ensureLink();
        try {
            noteSize(sizeOf(x));
            delegate.setObject(parameterName, x, targetSqlType, scaleOrLength);
            unreplayable();
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setObject(String parameterName, Object x, SQLType targetSqlType) throws SQLException {
        connection.ensureLink();
        try {
            noteSize(sizeOf(x));
            delegate.setObject(parameterName, x, targetSqlType);
            unreplayable();
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void registerOutParameter(int parameterIndex, SQLType sqlType) throws SQLException {
        connection.ensureLink();
        try {
            delegate.registerOutParameter(parameterIndex, sqlType);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void registerOutParameter(int parameterIndex, SQLType sqlType, int scale) throws SQLException {
        connection.ensureLink();
        try {
            delegate.registerOutParameter(parameterIndex, sqlType, scale);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void registerOutParameter(int parameterIndex, SQLType sqlType, String typeName) throws SQLException {
        connection.ensureLink();
        try {
            delegate.registerOutParameter(parameterIndex, sqlType, typeName);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void registerOutParameter(String parameterName, SQLType sqlType) throws SQLException {
        connection.ensureLink();
        try {
            delegate.registerOutParameter(parameterName, sqlType);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void registerOutParameter(String parameterName, SQLType sqlType, int scale) throws SQLException {
        connection.ensureLink();
        try {
            delegate.registerOutParameter(parameterName, sqlType, scale);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void registerOutParameter(String parameterName, SQLType sqlType, String typeName) throws SQLException {
        connection.ensureLink();
        try {
            delegate.registerOutParameter(parameterName, sqlType, typeName);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }
}
