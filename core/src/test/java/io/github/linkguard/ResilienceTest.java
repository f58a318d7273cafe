package io.github.linkguard;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.github.linkguard.testkit.EmbeddedMariaDb;
import io.github.linkguard.testkit.MariaDbExtension;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reads under fire: sessions killed every few hundred milliseconds, and a full server restart. */
@Timeout(180)
class ResilienceTest {

    private static final Logger log = LoggerFactory.getLogger(ResilienceTest.class);
    private static final int READERS = 6;

    @RegisterExtension
    static final MariaDbExtension SERVER = MariaDbExtension.dedicated(EmbeddedMariaDb.builder());

    @Test
    void sixReadersSeeNoErrorWhileEverySessionIsKilledRepeatedly() throws Exception {
        EmbeddedMariaDb db = SERVER.server();
        HikariDataSource pool = Pools.hikari(db, db.jdbcUrl(), 5_000);
        pool.setMaximumPoolSize(READERS);
        try (Pools.Guarded guarded = Pools.guard(pool, builder -> builder.maxAttempts(10)
                .initialInterval(Duration.ofMillis(20)).maxInterval(Duration.ofMillis(200)))) {
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicLong reads = new AtomicLong();
            AtomicInteger kills = new AtomicInteger();
            ExecutorService threads = Executors.newFixedThreadPool(READERS + 1);
            List<Future<?>> readers = new ArrayList<>();
            for (int i = 0; i < READERS; i++) {
                readers.add(threads.submit(() -> {
                    while (running.get()) {
                        try (Connection connection = guarded.dataSource().getConnection();
                                PreparedStatement select = connection.prepareStatement("SELECT ?, SLEEP(0.01)")) {
                            for (int n = 0; n < 20 && running.get(); n++) {
                                select.setInt(1, n);
                                try (ResultSet rows = select.executeQuery()) {
                                    rows.next();
                                    assertThat(rows.getInt(1)).isEqualTo(n);
                                }
                                reads.incrementAndGet();
                            }
                        }
                    }
                    return null;
                }));
            }
            Future<?> killer = threads.submit(() -> {
                try (Connection admin = db.adminConnection(); Statement statement = admin.createStatement()) {
                    while (running.get()) {
                        Pools.idle(Duration.ofMillis(300));
                        List<Long> sessions = new ArrayList<>();
                        try (ResultSet rows = statement.executeQuery("SELECT ID FROM information_schema.PROCESSLIST "
                                + "WHERE USER = '" + db.user() + "' AND ID <> CONNECTION_ID() AND COMMAND <> 'Daemon'")) {
                            while (rows.next()) {
                                sessions.add(rows.getLong(1));
                            }
                        }
                        for (long id : sessions) {
                            try {
                                statement.execute("KILL CONNECTION " + id);
                                kills.incrementAndGet();
                            } catch (java.sql.SQLException gone) {
                                // it ended by itself meanwhile
                            }
                        }
                    }
                }
                return null;
            });

            Pools.idle(Duration.ofSeconds(8));
            running.set(false);
            for (Future<?> reader : readers) {
                reader.get(60, TimeUnit.SECONDS); // rethrows any error a reader saw
            }
            killer.get(10, TimeUnit.SECONDS);
            threads.shutdown();

            log.info("{} reads while {} sessions were killed; {} recovered", reads.get(), kills.get(),
                    recovered(guarded));
            assertThat(kills.get()).isGreaterThan(10);
            assertThat(recovered(guarded)).isPositive();
            assertThat(reads.get()).isPositive();
            assertThat(pool.getHikariPoolMXBean().getActiveConnections()).isZero();
        }
    }

    @Test
    void readsRunThroughAServerRestartWithinTheRetryBudget() throws Exception {
        EmbeddedMariaDb db = SERVER.server();
        try (Pools.Guarded guarded = Pools.guard(Pools.hikari(db, db.jdbcUrl(), 1_000), builder -> builder
                .maxAttempts(200).initialInterval(Duration.ofMillis(100)).maxInterval(Duration.ofMillis(500))
                .retryBudget(Duration.ofSeconds(60)))) {
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicLong reads = new AtomicLong();
            AtomicLong firstSuccessAfterRestart = new AtomicLong();
            AtomicLong backAt = new AtomicLong();
            ExecutorService thread = Executors.newSingleThreadExecutor();
            Future<?> reader = thread.submit(() -> {
                try (Connection connection = guarded.dataSource().getConnection();
                        Statement statement = connection.createStatement()) {
                    while (running.get()) {
                        try (ResultSet rows = statement.executeQuery("SELECT 1")) {
                            rows.next();
                        }
                        reads.incrementAndGet();
                        if (backAt.get() != 0 && firstSuccessAfterRestart.get() == 0) {
                            firstSuccessAfterRestart.set(System.nanoTime());
                        }
                        Pools.idle(Duration.ofMillis(20));
                    }
                }
                return null;
            });
            Pools.idle(Duration.ofMillis(500));
            db.restart();
            backAt.set(System.nanoTime());
            Pools.idle(Duration.ofSeconds(2));
            running.set(false);
            reader.get(90, TimeUnit.SECONDS); // rethrows any error the reader saw
            thread.shutdown();

            long sinceBack = TimeUnit.NANOSECONDS.toMillis(firstSuccessAfterRestart.get() - backAt.get());
            log.info("{} reads through a restart; first success {} ms after the server was back", reads.get(),
                    sinceBack);
            assertThat(firstSuccessAfterRestart.get()).isPositive();
            assertThat(recovered(guarded)).isEqualTo(1);
        }
    }

    private static double recovered(Pools.Guarded guarded) {
        return guarded.registry().find("linkguard.retries").tag("outcome", "recovered").counters().stream()
                .mapToDouble(counter -> counter.count()).sum();
    }
}
