package io.github.linkguard.internal.jdbc;

import io.github.linkguard.Phase;
import io.github.linkguard.internal.LostLinkHandler;
import java.sql.Array;
import java.sql.Blob;
import java.sql.CallableStatement;
import java.sql.Clob;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.NClob;
import java.sql.PreparedStatement;
import java.sql.SQLClientInfoException;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.SQLXML;
import java.sql.Savepoint;
import java.sql.ShardingKey;
import java.sql.Statement;
import java.sql.Struct;
import java.sql.Wrapper;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * The application's connection: delegates every call to the pool's connection, records when the link
 * was last known good, and hands every failure to the {@link LostLinkHandler} with the phase it happened
 * in. Statements and metadata it creates are guarded too. Not thread-safe, like the connection it wraps.
 */
public final class GuardedConnection extends DelegatingWrapper implements Connection {

    final Connection delegate;
    private final LostLinkHandler handler;
    private final long acquiredNanos;
    private long lastGoodNanos;

    /**
     * @param handler diagnoses and reports this DataSource's failures
     * @param delegate the pool's connection
     * @param acquiredNanos {@link System#nanoTime()} when the application asked for the connection
     */
    public GuardedConnection(LostLinkHandler handler, Connection delegate, long acquiredNanos) {
        this.handler = handler;
        this.delegate = delegate;
        this.acquiredNanos = acquiredNanos;
        this.lastGoodNanos = acquiredNanos;
    }

    /** The link just answered: remember when. */
    void markGood() {
        lastGoodNanos = System.nanoTime();
    }

    SQLException failed(SQLException failure, Phase phase) {
        return failed(failure, phase, 0, false);
    }

    SQLException failed(SQLException failure, Phase phase, long payloadBytes, boolean streamedResult) {
        long now = System.nanoTime();
        return handler.failed(failure, phase, TimeUnit.NANOSECONDS.toMillis(now - lastGoodNanos),
                TimeUnit.NANOSECONDS.toMillis(now - acquiredNanos), payloadBytes, streamedResult);
    }

    @Override
    Wrapper delegate() {
        return delegate;
    }

    @Override
    public Statement createStatement() throws SQLException {
        try {
            return new GuardedStatement(this, delegate.createStatement());
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public PreparedStatement prepareStatement(String sql) throws SQLException {
        try {
            return new GuardedPreparedStatement(this, delegate.prepareStatement(sql));
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public CallableStatement prepareCall(String sql) throws SQLException {
        try {
            return new GuardedCallableStatement(this, delegate.prepareCall(sql));
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public String nativeSQL(String sql) throws SQLException {
        try {
            return delegate.nativeSQL(sql);
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public void setAutoCommit(boolean autoCommit) throws SQLException {
        try {
            delegate.setAutoCommit(autoCommit);
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public boolean getAutoCommit() throws SQLException {
        try {
            return delegate.getAutoCommit();
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public void commit() throws SQLException {
        try {
            delegate.commit();
            markGood();
        } catch (SQLException e) {
            throw failed(e, Phase.COMMIT);
        }
    }

    @Override
    public void rollback() throws SQLException {
        try {
            delegate.rollback();
            markGood();
        } catch (SQLException e) {
            throw failed(e, Phase.ROLLBACK);
        }
    }

    @Override
    public void close() throws SQLException {
        try {
            delegate.close();
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public boolean isClosed() throws SQLException {
        try {
            return delegate.isClosed();
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public DatabaseMetaData getMetaData() throws SQLException {
        try {
            return new GuardedDatabaseMetaData(this, delegate.getMetaData());
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public void setReadOnly(boolean readOnly) throws SQLException {
        try {
            delegate.setReadOnly(readOnly);
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public boolean isReadOnly() throws SQLException {
        try {
            return delegate.isReadOnly();
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public void setCatalog(String catalog) throws SQLException {
        try {
            delegate.setCatalog(catalog);
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public String getCatalog() throws SQLException {
        try {
            return delegate.getCatalog();
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public void setTransactionIsolation(int level) throws SQLException {
        try {
            delegate.setTransactionIsolation(level);
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public int getTransactionIsolation() throws SQLException {
        try {
            return delegate.getTransactionIsolation();
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public SQLWarning getWarnings() throws SQLException {
        try {
            return delegate.getWarnings();
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public void clearWarnings() throws SQLException {
        try {
            delegate.clearWarnings();
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public Statement createStatement(int resultSetType, int resultSetConcurrency) throws SQLException {
        try {
            return new GuardedStatement(this, delegate.createStatement(resultSetType, resultSetConcurrency));
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int resultSetType, int resultSetConcurrency) throws SQLException {
        try {
            return new GuardedPreparedStatement(this, delegate.prepareStatement(sql, resultSetType, resultSetConcurrency));
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public CallableStatement prepareCall(String sql, int resultSetType, int resultSetConcurrency) throws SQLException {
        try {
            return new GuardedCallableStatement(this, delegate.prepareCall(sql, resultSetType, resultSetConcurrency));
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public java.util.Map<String,Class<?>> getTypeMap() throws SQLException {
        try {
            return delegate.getTypeMap();
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public void setTypeMap(java.util.Map<String,Class<?>> map) throws SQLException {
        try {
            delegate.setTypeMap(map);
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public void setHoldability(int holdability) throws SQLException {
        try {
            delegate.setHoldability(holdability);
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public int getHoldability() throws SQLException {
        try {
            return delegate.getHoldability();
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public Savepoint setSavepoint() throws SQLException {
        try {
            return delegate.setSavepoint();
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public Savepoint setSavepoint(String name) throws SQLException {
        try {
            return delegate.setSavepoint(name);
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public void rollback(Savepoint savepoint) throws SQLException {
        try {
            delegate.rollback(savepoint);
            markGood();
        } catch (SQLException e) {
            throw failed(e, Phase.ROLLBACK);
        }
    }

    @Override
    public void releaseSavepoint(Savepoint savepoint) throws SQLException {
        try {
            delegate.releaseSavepoint(savepoint);
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public Statement createStatement(int resultSetType, int resultSetConcurrency, int resultSetHoldability) throws SQLException {
        try {
            return new GuardedStatement(this, delegate.createStatement(resultSetType, resultSetConcurrency, resultSetHoldability));
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int resultSetType, int resultSetConcurrency, int resultSetHoldability) throws SQLException {
        try {
            return new GuardedPreparedStatement(this, delegate.prepareStatement(sql, resultSetType, resultSetConcurrency, resultSetHoldability));
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public CallableStatement prepareCall(String sql, int resultSetType, int resultSetConcurrency, int resultSetHoldability) throws SQLException {
        try {
            return new GuardedCallableStatement(this, delegate.prepareCall(sql, resultSetType, resultSetConcurrency, resultSetHoldability));
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int autoGeneratedKeys) throws SQLException {
        try {
            return new GuardedPreparedStatement(this, delegate.prepareStatement(sql, autoGeneratedKeys));
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int[] columnIndexes) throws SQLException {
        try {
            return new GuardedPreparedStatement(this, delegate.prepareStatement(sql, columnIndexes));
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public PreparedStatement prepareStatement(String sql, String[] columnNames) throws SQLException {
        try {
            return new GuardedPreparedStatement(this, delegate.prepareStatement(sql, columnNames));
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public Clob createClob() throws SQLException {
        try {
            return delegate.createClob();
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public Blob createBlob() throws SQLException {
        try {
            return delegate.createBlob();
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public NClob createNClob() throws SQLException {
        try {
            return delegate.createNClob();
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public SQLXML createSQLXML() throws SQLException {
        try {
            return delegate.createSQLXML();
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public boolean isValid(int timeout) throws SQLException {
        try {
            return delegate.isValid(timeout);
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public void setClientInfo(String name, String value) throws SQLClientInfoException {
        delegate.setClientInfo(name, value);
    }

    @Override
    public void setClientInfo(Properties properties) throws SQLClientInfoException {
        delegate.setClientInfo(properties);
    }

    @Override
    public String getClientInfo(String name) throws SQLException {
        try {
            return delegate.getClientInfo(name);
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public Properties getClientInfo() throws SQLException {
        try {
            return delegate.getClientInfo();
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public Array createArrayOf(String typeName, Object[] elements) throws SQLException {
        try {
            return delegate.createArrayOf(typeName, elements);
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public Struct createStruct(String typeName, Object[] attributes) throws SQLException {
        try {
            return delegate.createStruct(typeName, attributes);
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public void setSchema(String schema) throws SQLException {
        try {
            delegate.setSchema(schema);
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public String getSchema() throws SQLException {
        try {
            return delegate.getSchema();
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public void abort(Executor executor) throws SQLException {
        try {
            delegate.abort(executor);
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public void setNetworkTimeout(Executor executor, int milliseconds) throws SQLException {
        try {
            delegate.setNetworkTimeout(executor, milliseconds);
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public int getNetworkTimeout() throws SQLException {
        try {
            return delegate.getNetworkTimeout();
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public void beginRequest() throws SQLException {
        try {
            delegate.beginRequest();
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public void endRequest() throws SQLException {
        try {
            delegate.endRequest();
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public boolean setShardingKeyIfValid(ShardingKey shardingKey, ShardingKey superShardingKey, int timeout) throws SQLException {
        try {
            return delegate.setShardingKeyIfValid(shardingKey, superShardingKey, timeout);
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public boolean setShardingKeyIfValid(ShardingKey shardingKey, int timeout) throws SQLException {
        try {
            return delegate.setShardingKeyIfValid(shardingKey, timeout);
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public void setShardingKey(ShardingKey shardingKey, ShardingKey superShardingKey) throws SQLException {
        try {
            delegate.setShardingKey(shardingKey, superShardingKey);
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public void setShardingKey(ShardingKey shardingKey) throws SQLException {
        try {
            delegate.setShardingKey(shardingKey);
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }
}
