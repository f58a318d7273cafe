package io.github.linkguard.testkit;

import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A driver's DataSource that counts what a pool (and anything else) does with it: when each attempt to open
 * a physical connection started, and the most physical connections open at once. Give it to the pool
 * ({@code HikariConfig.setDataSource}) to check that an application stays within its pool's size and does not
 * hammer a server that is away.
 */
public final class CountingDataSource implements DataSource {

    private final DataSource driver;
    private final ConcurrentLinkedQueue<Long> attemptStarts = new ConcurrentLinkedQueue<>();
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger mostOpen = new AtomicInteger();

    /** Counts what is done with {@code driver}. */
    public CountingDataSource(DataSource driver) {
        this.driver = driver;
    }

    /** How many attempts to connect started between {@code fromNanos} and {@code toNanos} (nanoTime). */
    public long attemptsBetween(long fromNanos, long toNanos) {
        return attemptStarts.stream().filter(start -> start - fromNanos >= 0 && start - toNanos < 0).count();
    }

    /** How many physical connections are open now. */
    public int open() {
        return open.get();
    }

    /** The most physical connections that were open at once since the last call (or since it was made). */
    public int takeMostOpen() {
        return mostOpen.getAndSet(open.get());
    }

    @Override
    public Connection getConnection() throws SQLException {
        attemptStarts.add(System.nanoTime());
        return counted(driver.getConnection());
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        attemptStarts.add(System.nanoTime());
        return counted(driver.getConnection(username, password));
    }

    /** The connection, counted as open until it is closed (or aborted) the first time. */
    private Connection counted(Connection connection) {
        mostOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
        AtomicBoolean closed = new AtomicBoolean();
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                (proxy, method, args) -> {
                    String name = method.getName();
                    if ((name.equals("close") || name.equals("abort")) && closed.compareAndSet(false, true)) {
                        open.decrementAndGet();
                    }
                    try {
                        return method.invoke(connection, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return driver.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        driver.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        driver.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return driver.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return driver.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        return type.isInstance(this) ? type.cast(this) : type.isInstance(driver) ? type.cast(driver) : driver.unwrap(type);
    }

    @Override
    public boolean isWrapperFor(Class<?> type) throws SQLException {
        return type.isInstance(this) || type.isInstance(driver) || driver.isWrapperFor(type);
    }
}
