package io.github.linkguard.internal.jdbc;

import io.github.linkguard.Phase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.sql.Wrapper;

/**
 * The application's statement: delegates every call, marks the link good after each execution, wraps the
 * result sets it hands out, and reports failures as phase {@code execute} (with the statement's size, so
 * that an oversized packet can be recognised).
 */
public class GuardedStatement extends DelegatingWrapper implements Statement {

    final GuardedConnection connection;
    private final Statement delegate;
    /** Whether results are streamed row by row from the wire (fetch size {@code Integer.MIN_VALUE}). */
    private boolean streaming;
    /** The largest value bound so far, for prepared statements; 0 for plain ones. */
    long largestParameter;

    GuardedStatement(GuardedConnection connection, Statement delegate) {
        this.connection = connection;
        this.delegate = delegate;
    }

    /** What this statement sends besides its SQL text: the largest bound value. */
    final long payloadBytes() {
        return largestParameter;
    }

    final SQLException failed(SQLException failure, long payloadBytes) {
        return connection.failed(failure, Phase.EXECUTE, payloadBytes, false);
    }

    final ResultSet results(ResultSet results) {
        return results == null ? null : new GuardedResultSet(connection, this, results, streaming);
    }

    static long lengthOf(String sql) {
        return sql == null ? 0 : sql.length();
    }

    @Override
    Wrapper delegate() {
        return delegate;
    }

    @Override
    public ResultSet executeQuery(String sql) throws SQLException {
        try {
            ResultSet result = results(delegate.executeQuery(sql));
            connection.markGood();
            return result;
        } catch (SQLException e) {
            throw failed(e, lengthOf(sql));
        }
    }

    @Override
    public int executeUpdate(String sql) throws SQLException {
        try {
            int result = delegate.executeUpdate(sql);
            connection.markGood();
            return result;
        } catch (SQLException e) {
            throw failed(e, lengthOf(sql));
        }
    }

    @Override
    public void close() throws SQLException {
        try {
            delegate.close();
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public int getMaxFieldSize() throws SQLException {
        try {
            return delegate.getMaxFieldSize();
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setMaxFieldSize(int max) throws SQLException {
        try {
            delegate.setMaxFieldSize(max);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public int getMaxRows() throws SQLException {
        try {
            return delegate.getMaxRows();
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setMaxRows(int max) throws SQLException {
        try {
            delegate.setMaxRows(max);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setEscapeProcessing(boolean enable) throws SQLException {
        try {
            delegate.setEscapeProcessing(enable);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public int getQueryTimeout() throws SQLException {
        try {
            return delegate.getQueryTimeout();
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setQueryTimeout(int seconds) throws SQLException {
        try {
            delegate.setQueryTimeout(seconds);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void cancel() throws SQLException {
        try {
            delegate.cancel();
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public SQLWarning getWarnings() throws SQLException {
        try {
            return delegate.getWarnings();
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void clearWarnings() throws SQLException {
        try {
            delegate.clearWarnings();
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setCursorName(String name) throws SQLException {
        try {
            delegate.setCursorName(name);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public boolean execute(String sql) throws SQLException {
        try {
            boolean result = delegate.execute(sql);
            connection.markGood();
            return result;
        } catch (SQLException e) {
            throw failed(e, lengthOf(sql));
        }
    }

    @Override
    public ResultSet getResultSet() throws SQLException {
        try {
            return results(delegate.getResultSet());
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public int getUpdateCount() throws SQLException {
        try {
            return delegate.getUpdateCount();
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public boolean getMoreResults() throws SQLException {
        try {
            return delegate.getMoreResults();
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setFetchDirection(int direction) throws SQLException {
        try {
            delegate.setFetchDirection(direction);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public int getFetchDirection() throws SQLException {
        try {
            return delegate.getFetchDirection();
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setFetchSize(int rows) throws SQLException {
        try {
            delegate.setFetchSize(rows);
            streaming = rows == Integer.MIN_VALUE;
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public int getFetchSize() throws SQLException {
        try {
            return delegate.getFetchSize();
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public int getResultSetConcurrency() throws SQLException {
        try {
            return delegate.getResultSetConcurrency();
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public int getResultSetType() throws SQLException {
        try {
            return delegate.getResultSetType();
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void addBatch(String sql) throws SQLException {
        try {
            delegate.addBatch(sql);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void clearBatch() throws SQLException {
        try {
            delegate.clearBatch();
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public int[] executeBatch() throws SQLException {
        try {
            int[] result = delegate.executeBatch();
            connection.markGood();
            return result;
        } catch (SQLException e) {
            throw failed(e, payloadBytes());
        }
    }

    @Override
    public Connection getConnection() throws SQLException {
        try {
            delegate.getConnection();
            return connection;
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public boolean getMoreResults(int current) throws SQLException {
        try {
            return delegate.getMoreResults(current);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public ResultSet getGeneratedKeys() throws SQLException {
        try {
            return results(delegate.getGeneratedKeys());
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public int executeUpdate(String sql, int autoGeneratedKeys) throws SQLException {
        try {
            int result = delegate.executeUpdate(sql, autoGeneratedKeys);
            connection.markGood();
            return result;
        } catch (SQLException e) {
            throw failed(e, lengthOf(sql));
        }
    }

    @Override
    public int executeUpdate(String sql, int[] columnIndexes) throws SQLException {
        try {
            int result = delegate.executeUpdate(sql, columnIndexes);
            connection.markGood();
            return result;
        } catch (SQLException e) {
            throw failed(e, lengthOf(sql));
        }
    }

    @Override
    public int executeUpdate(String sql, String[] columnNames) throws SQLException {
        try {
            int result = delegate.executeUpdate(sql, columnNames);
            connection.markGood();
            return result;
        } catch (SQLException e) {
            throw failed(e, lengthOf(sql));
        }
    }

    @Override
    public boolean execute(String sql, int autoGeneratedKeys) throws SQLException {
        try {
            boolean result = delegate.execute(sql, autoGeneratedKeys);
            connection.markGood();
            return result;
        } catch (SQLException e) {
            throw failed(e, lengthOf(sql));
        }
    }

    @Override
    public boolean execute(String sql, int[] columnIndexes) throws SQLException {
        try {
            boolean result = delegate.execute(sql, columnIndexes);
            connection.markGood();
            return result;
        } catch (SQLException e) {
            throw failed(e, lengthOf(sql));
        }
    }

    @Override
    public boolean execute(String sql, String[] columnNames) throws SQLException {
        try {
            boolean result = delegate.execute(sql, columnNames);
            connection.markGood();
            return result;
        } catch (SQLException e) {
            throw failed(e, lengthOf(sql));
        }
    }

    @Override
    public int getResultSetHoldability() throws SQLException {
        try {
            return delegate.getResultSetHoldability();
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public boolean isClosed() throws SQLException {
        try {
            return delegate.isClosed();
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setPoolable(boolean poolable) throws SQLException {
        try {
            delegate.setPoolable(poolable);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public boolean isPoolable() throws SQLException {
        try {
            return delegate.isPoolable();
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void closeOnCompletion() throws SQLException {
        try {
            delegate.closeOnCompletion();
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public boolean isCloseOnCompletion() throws SQLException {
        try {
            return delegate.isCloseOnCompletion();
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public long getLargeUpdateCount() throws SQLException {
        try {
            return delegate.getLargeUpdateCount();
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public void setLargeMaxRows(long max) throws SQLException {
        try {
            delegate.setLargeMaxRows(max);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public long getLargeMaxRows() throws SQLException {
        try {
            return delegate.getLargeMaxRows();
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public long[] executeLargeBatch() throws SQLException {
        try {
            long[] result = delegate.executeLargeBatch();
            connection.markGood();
            return result;
        } catch (SQLException e) {
            throw failed(e, payloadBytes());
        }
    }

    @Override
    public long executeLargeUpdate(String sql) throws SQLException {
        try {
            long result = delegate.executeLargeUpdate(sql);
            connection.markGood();
            return result;
        } catch (SQLException e) {
            throw failed(e, lengthOf(sql));
        }
    }

    @Override
    public long executeLargeUpdate(String sql, int autoGeneratedKeys) throws SQLException {
        try {
            long result = delegate.executeLargeUpdate(sql, autoGeneratedKeys);
            connection.markGood();
            return result;
        } catch (SQLException e) {
            throw failed(e, lengthOf(sql));
        }
    }

    @Override
    public long executeLargeUpdate(String sql, int[] columnIndexes) throws SQLException {
        try {
            long result = delegate.executeLargeUpdate(sql, columnIndexes);
            connection.markGood();
            return result;
        } catch (SQLException e) {
            throw failed(e, lengthOf(sql));
        }
    }

    @Override
    public long executeLargeUpdate(String sql, String[] columnNames) throws SQLException {
        try {
            long result = delegate.executeLargeUpdate(sql, columnNames);
            connection.markGood();
            return result;
        } catch (SQLException e) {
            throw failed(e, lengthOf(sql));
        }
    }

    @Override
    public String enquoteLiteral(String val) throws SQLException {
        try {
            return delegate.enquoteLiteral(val);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public String enquoteIdentifier(String identifier, boolean alwaysQuote) throws SQLException {
        try {
            return delegate.enquoteIdentifier(identifier, alwaysQuote);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public boolean isSimpleIdentifier(String identifier) throws SQLException {
        try {
            return delegate.isSimpleIdentifier(identifier);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }

    @Override
    public String enquoteNCharLiteral(String val) throws SQLException {
        try {
            return delegate.enquoteNCharLiteral(val);
        } catch (SQLException e) {
            throw failed(e, 0);
        }
    }
}
