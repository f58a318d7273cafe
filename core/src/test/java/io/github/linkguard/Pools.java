package io.github.linkguard;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.linkguard.testkit.EmbeddedMariaDb;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import javax.sql.DataSource;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/** Pools and LinkGuards for tests, and a way to catch the diagnosis of a failing call. */
final class Pools {

    private static final AtomicInteger POOLS = new AtomicInteger();

    private Pools() {
    }

    /** A small HikariCP pool with short timeouts on {@code url}, for a user of {@code db}. */
    static HikariDataSource hikari(EmbeddedMariaDb db, String url) {
        return hikari(db, url, 3_000);
    }

    /** A small HikariCP pool on {@code url} that waits at most {@code connectionTimeoutMillis} for a connection. */
    static HikariDataSource hikari(EmbeddedMariaDb db, String url, long connectionTimeoutMillis) {
        return new HikariDataSource(config(db, url, connectionTimeoutMillis));
    }

    /**
     * The same pool, not started until the first connection is asked for (as Spring Boot makes it), so
     * that LinkGuard can still add driver properties (session tracking).
     */
    static HikariDataSource lazyHikari(EmbeddedMariaDb db, String url) {
        HikariDataSource pool = new HikariDataSource();
        config(db, url, 3_000).copyStateTo(pool);
        return pool;
    }

    private static HikariConfig config(EmbeddedMariaDb db, String url, long connectionTimeoutMillis) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("test-" + POOLS.incrementAndGet());
        config.setJdbcUrl(url);
        config.setUsername(db.user());
        config.setPassword(db.password());
        config.setMaximumPoolSize(2);
        config.setMinimumIdle(0);
        config.setConnectionTimeout(connectionTimeoutMillis);
        config.setInitializationFailTimeout(-1);
        return config;
    }

    /** A LinkGuard that diagnoses but never retries, with a fresh meter registry, over a pool of {@code db}. */
    static Guarded guard(EmbeddedMariaDb db, String url) {
        return guard(hikari(db, url), builder -> builder.maxAttempts(1));
    }

    /** A LinkGuard over {@code pool} with a fresh meter registry, configured further by {@code configure}. */
    static Guarded guard(DataSource pool, UnaryOperator<LinkGuardDataSource.Builder> configure) {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        LinkGuardDataSource dataSource = configure.apply(LinkGuardDataSource.builder(pool)
                .name("test")
                .meterRegistry(registry))
                .build();
        return new Guarded(dataSource, registry);
    }

    /** Runs {@code call}, expects it to fail, and returns the failure's diagnosis. */
    static Diagnosis diagnosisOf(ThrowingCallable call) {
        try {
            call.call();
        } catch (Throwable failure) {
            Optional<Diagnosis> diagnosis = Diagnosis.of(failure);
            if (diagnosis.isEmpty()) {
                throw new AssertionError("no diagnosis for " + failure, failure);
            }
            return diagnosis.get();
        }
        throw new AssertionError("the call did not fail");
    }

    /** The shared server's URL, with TLS required or off. */
    static String url(EmbeddedMariaDb db, boolean tls) {
        return url(db.jdbcUrl(), tls);
    }

    /** {@code url} (a test kit URL, TLS off) with TLS required if {@code tls}. */
    static String url(String url, boolean tls) {
        return tls ? url.replace("sslMode=DISABLED", "sslMode=REQUIRED") : url;
    }

    /** The number in the first column of the first row of {@code sql}. */
    static long number(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement(); java.sql.ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }

    /** {@link #number} read over a fresh connection of the server's administrator, outside any transaction. */
    static long number(EmbeddedMariaDb db, String sql) throws SQLException {
        try (Connection admin = db.adminConnection()) {
            return number(admin, sql);
        }
    }

    static void execute(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    /**
     * Kills the first session but {@code locker}'s seen running {@code sql} (a replay's or a re-run's, waiting for
     * the row {@code locker} holds), then lets the row go; waits up to 20 s. The killed session's id.
     */
    static long killWhenRunning(Connection locker, String sql) {
        try (PreparedStatement running = locker.prepareStatement(
                "SELECT ID FROM information_schema.PROCESSLIST WHERE INFO = ? AND ID <> CONNECTION_ID()")) {
            running.setString(1, sql);
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (System.nanoTime() < deadline) {
                try (ResultSet ids = running.executeQuery()) {
                    if (ids.next()) {
                        long id = ids.getLong(1);
                        execute(locker, "KILL CONNECTION " + id);
                        locker.rollback();
                        return id;
                    }
                }
                Thread.sleep(5);
            }
            throw new AssertionError("no session ran " + sql);
        } catch (SQLException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /** Waits for the wall clock, the way an idle or slow application does. */
    static void idle(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** A LinkGuard and the registry its meters go to. */
    record Guarded(LinkGuardDataSource dataSource, SimpleMeterRegistry registry) implements AutoCloseable {

        double failures(Cause cause, Phase phase) {
            var counter = registry.find("linkguard.failures").tag("datasource", "test").tag("cause", cause.id())
                    .tag("phase", phase.id()).counter();
            return counter == null ? 0 : counter.count();
        }

        double notRetried(Cause cause) {
            return outcomes(cause, "not-retried");
        }

        double outcomes(Cause cause, String outcome) {
            var counter = registry.find("linkguard.retries").tag("datasource", "test").tag("cause", cause.id())
                    .tag("outcome", outcome).counter();
            return counter == null ? 0 : counter.count();
        }

        @Override
        public void close() {
            dataSource.close();
        }
    }
}
