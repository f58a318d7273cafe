package io.github.linkguard.benchmarks.stub;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLFeatureNotSupportedException;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A JDBC driver without a network, as plain classes (no mocking library, whose interception would cost
 * more than what is measured): HikariCP pools its connections, so a benchmark measures the pool and the
 * wrappers above it and nothing else. Every query returns {@code rows} rows.
 */
public final class StubDataSource extends StubWrapper implements DataSource {

    private int rows;
    private int loginTimeout;

    /** @param rows how many rows every query returns */
    public StubDataSource(int rows) {
        setRows(rows);
    }

    /** One row per query; made by class name, as wrappers that make their target DataSource do. */
    public StubDataSource() {
        this(1);
    }

    /** @param rows how many rows every query returns (a bean property, for wrappers that set it by name) */
    public void setRows(int rows) {
        if (rows < 0) {
            throw new IllegalArgumentException("rows must not be negative: " + rows);
        }
        this.rows = rows;
    }

    @Override
    public Connection getConnection() {
        return new StubConnection(rows);
    }

    @Override
    public Connection getConnection(String username, String password) {
        return getConnection();
    }

    @Override
    public PrintWriter getLogWriter() {
        return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
    }

    @Override
    public void setLoginTimeout(int seconds) {
        this.loginTimeout = seconds;
    }

    @Override
    public int getLoginTimeout() {
        return loginTimeout;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException();
    }
}
