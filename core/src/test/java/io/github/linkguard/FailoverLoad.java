package io.github.linkguard;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/** Four writers and two readers through LinkGuard, until stopped. */
final class FailoverLoad {
    final Pools.Guarded guarded;
    final Set<Long> acked = ConcurrentHashMap.newKeySet();
    final Map<Long, Long> ackedAt = new ConcurrentHashMap<>();
    final AtomicLong reads = new AtomicLong();
    final List<String> failures = Collections.synchronizedList(new ArrayList<>());
    final AtomicBoolean running = new AtomicBoolean(true);
    final ExecutorService threads = Executors.newFixedThreadPool(6);
    final List<Future<?>> workers = new ArrayList<>();

    FailoverLoad(Pools.Guarded guarded) {
        this.guarded = guarded;
    }

    /**
     * Makes the table the load writes on {@code server} (a cluster's writer, which replicates it), and returns a pool
     * of six, not started yet (so that LinkGuard sits under it), on {@code url}.
     */
    static HikariDataSource pool(Connection server, String name, String url, String user, String password,
            boolean tls) throws SQLException {
        try (Statement ddl = server.createStatement()) {
            ddl.execute("CREATE TABLE acked (id BIGINT AUTO_INCREMENT PRIMARY KEY, token BIGINT NOT NULL, "
                    + "written_at BIGINT NOT NULL)");
        }
        HikariDataSource pool = new HikariDataSource();
        pool.setPoolName(name);
        pool.setJdbcUrl(Pools.url(url, tls));
        pool.setUsername(user);
        pool.setPassword(password);
        pool.setMaximumPoolSize(6);
        pool.setConnectionTimeout(10_000);
        return pool;
    }

    void start() {
        for (int i = 0; i < 6; i++) {
            boolean writer = i < 4;
            workers.add(threads.submit(() -> {
                while (running.get()) {
                    try {
                        if (writer) {
                            write();
                        } else {
                            read();
                        }
                    } catch (SQLException e) {
                        failures.add(e.getSQLState() + " " + e.getMessage());
                    }
                }
                return null;
            }));
        }
    }

    private void write() throws SQLException {
        long token = ThreadLocalRandom.current().nextLong();
        try (Connection connection = guarded.dataSource().getConnection()) {
            connection.setAutoCommit(false);
            try (PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO acked (token, written_at) VALUES (?, ?)")) {
                insert.setLong(1, token);
                insert.setLong(2, System.currentTimeMillis());
                insert.executeUpdate();
            }
            connection.commit();
        }
        acked.add(token);
        ackedAt.put(token, System.nanoTime());
    }

    private void read() throws SQLException {
        try (Connection connection = guarded.dataSource().getConnection();
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT COUNT(*) FROM acked")) {
            rows.next();
        }
        reads.incrementAndGet();
    }

    void awaitAcked(int count) throws InterruptedException {
        await(() -> acked.size() >= count, "acknowledged writes");
    }

    void awaitAckedAfter(long nanos, int count) throws InterruptedException {
        await(() -> ackedAt.values().stream().filter(at -> at - nanos >= 0).count() >= count,
                "writes acknowledged after the promotion");
    }

    long firstAckAfter(long nanos) {
        return ackedAt.values().stream().filter(at -> at - nanos >= 0).min(Long::compare).orElse(Long.MAX_VALUE);
    }

    /**
     * Says what the application saw ({@code event}, TLS on or off: writes acknowledged, reads, the first write
     * after the {@code since} at {@code sinceNanos}, failures) and asserts that it saw no failure and wrote again
     * within a second of it.
     */
    void assertInvisible(String event, boolean tls, String since, long sinceNanos) {
        long firstWrite = firstAckAfter(sinceNanos) - sinceNanos;
        System.out.printf("%s (TLS %s): %d writes acknowledged, %d reads, first write %d ms after the %s, failures %s%n",
                event, tls, acked.size(), reads.get(), TimeUnit.NANOSECONDS.toMillis(firstWrite), since, failures);
        assertThat(failures).as("failures the application saw").isEmpty();
        assertThat(firstWrite).as("first write after the " + since + " (ns)").isLessThanOrEqualTo(TimeUnit.SECONDS.toNanos(1));
    }

    private void await(BooleanSupplier done, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not enough " + what + " within 60 s; failures: " + failures);
            }
            TimeUnit.MILLISECONDS.sleep(10);
        }
    }

    void stop() throws Exception {
        running.set(false);
        for (Future<?> worker : workers) {
            worker.get(60, TimeUnit.SECONDS);
        }
        threads.shutdown();
    }
}
