package io.github.linkguard;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.github.linkguard.testkit.EmbeddedMariaDb;
import io.github.linkguard.testkit.FaultProxy;
import io.github.linkguard.testkit.MariaDbExtension;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A mixed workload (reads, idempotent upserts, transfers between accounts through JDBC transactions and as
 * SQL scripts in auto-commit mode with SQL BEGIN and COMMIT, a MyISAM audit table written inside some of them,
 * connections that hold session state) under a random schedule of session kills, dropped links, blackholes and
 * a server restart: afterwards every acknowledged write is there exactly once, no money appeared or vanished,
 * no audit row was written twice, and no call ever saw a session other than its own (its variables, time zone
 * and named lock, or its temporary table).
 */
@Timeout(180)
class ChaosTest {

    private static final Logger log = LoggerFactory.getLogger(ChaosTest.class);
    private static final int ACCOUNTS = 10;
    private static final long TOTAL = ACCOUNTS * 1_000L;
    private static final Duration CHAOS = Duration.ofSeconds(30);

    @RegisterExtension
    static final MariaDbExtension SERVER = MariaDbExtension.dedicated(EmbeddedMariaDb.builder());

    private final Set<String> acknowledgedTransfers = ConcurrentHashMap.newKeySet();
    private final Set<String> unknownTransfers = ConcurrentHashMap.newKeySet();
    private final Set<Integer> acknowledgedUpserts = ConcurrentHashMap.newKeySet();
    private final AtomicLong scriptedTransfers = new AtomicLong();
    private final AtomicLong reads = new AtomicLong();
    private final AtomicLong readErrors = new AtomicLong();
    private final AtomicLong upsertErrors = new AtomicLong();
    private final AtomicLong transfersRolledBack = new AtomicLong();
    private final AtomicLong sessionReads = new AtomicLong();
    private final AtomicLong sessionMismatches = new AtomicLong();
    private final AtomicLong sessionsLostLoudly = new AtomicLong();
    private final AtomicLong hiddenSessionLosses = new AtomicLong();
    private final AtomicBoolean running = new AtomicBoolean(true);

    @Test
    void everyAcknowledgedWriteSurvivesExactlyOnceAndTheTotalIsKept() throws Exception {
        EmbeddedMariaDb db = SERVER.server();
        db.execute("CREATE TABLE accounts (id INT PRIMARY KEY, balance BIGINT NOT NULL)",
                "INSERT INTO accounts SELECT seq, 1000 FROM seq_1_to_" + ACCOUNTS,
                "CREATE TABLE transfers (uuid CHAR(36) PRIMARY KEY)",
                "CREATE TABLE audit (uuid CHAR(36) NOT NULL) ENGINE=MyISAM",
                "CREATE TABLE upserts (id INT PRIMARY KEY, v INT NOT NULL)");
        try (FaultProxy proxy = FaultProxy.start(db.host(), db.port())) {
            // not started: LinkGuard asks the server for its session and transaction reports
            HikariDataSource pool = Pools.lazyHikari(db, EmbeddedMariaDb.jdbcUrl(proxy.host(), proxy.port())
                    + "&socketTimeout=3000&connectTimeout=2000");
            pool.setConnectionTimeout(2_000);
            pool.setMaximumPoolSize(8);
            try (Pools.Guarded guarded = Pools.guard(pool, builder -> builder.maxAttempts(100)
                    .initialInterval(Duration.ofMillis(50)).maxInterval(Duration.ofMillis(500))
                    .retryBudget(Duration.ofSeconds(60)))) {
                ExecutorService threads = Executors.newFixedThreadPool(9);
                List<Future<?>> workers = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    workers.add(threads.submit(() -> reader(guarded.dataSource())));
                    int base = i * 1_000_000;
                    workers.add(threads.submit(() -> upserter(guarded.dataSource(), base)));
                    long seed = i;
                    workers.add(threads.submit(() -> transferrer(guarded.dataSource(), new Random(seed))));
                }
                workers.add(threads.submit(() -> scriptedTransferrer(guarded.dataSource(), new Random(7))));
                workers.add(threads.submit(() -> sessionHolder(guarded.dataSource())));
                workers.add(threads.submit(() -> temporaryTableUser(guarded.dataSource())));
                String faults = chaos(db, proxy, new Random(42));
                running.set(false);
                for (Future<?> worker : workers) {
                    worker.get(120, TimeUnit.SECONDS);
                }
                threads.shutdown();

                log.info("chaos: {}; {} reads ({} failed), {} upserts acknowledged ({} failed), {} transfers "
                        + "acknowledged, {} of unknown outcome, {} rolled back; {} reads of session state, {} "
                        + "sessions lost loudly; {} recovered by LinkGuard", faults,
                        reads.get(), readErrors.get(), acknowledgedUpserts.size(), upsertErrors.get(),
                        acknowledgedTransfers.size(), unknownTransfers.size(), transfersRolledBack.get(),
                        sessionReads.get(), sessionsLostLoudly.get(),
                        guarded.registry().find("linkguard.retries").tag("outcome", "recovered").counters().stream()
                                .mapToDouble(c -> c.count()).sum());
                assertThat(pool.getHikariPoolMXBean().getActiveConnections()).isZero();
            }
        }
        try (Connection admin = db.adminConnection(); Statement statement = admin.createStatement()) {
            assertThat(single(statement, "SELECT SUM(balance) FROM accounts")).isEqualTo(TOTAL);
            Set<String> stored = ConcurrentHashMap.newKeySet();
            try (ResultSet rows = statement.executeQuery("SELECT uuid FROM transfers")) {
                while (rows.next()) {
                    stored.add(rows.getString(1));
                }
            }
            assertThat(stored).containsAll(acknowledgedTransfers);
            assertThat(stored).isSubsetOf(union(acknowledgedTransfers, unknownTransfers));
            assertThat(single(statement, "SELECT COUNT(*) FROM (SELECT uuid FROM audit GROUP BY uuid "
                    + "HAVING COUNT(*) > 1) twice")).as("audit rows written twice").isZero();
            assertThat(scriptedTransfers.get()).as("scripted transfers acknowledged").isPositive();
            // each stored transfer moved exactly 10 from one account to another: the total says so above
            for (int id : acknowledgedUpserts) {
                assertThat(single(statement, "SELECT COUNT(*) FROM upserts WHERE id = " + id)).isEqualTo(1);
            }
            assertThat(acknowledgedTransfers).isNotEmpty();
            assertThat(reads.get()).isPositive();
            assertThat(sessionReads.get()).isPositive();
            assertThat(sessionMismatches.get()).as("calls that saw another session's state").isZero();
            assertThat(hiddenSessionLosses.get()).as("temporary tables gone without a word").isZero();
        }
    }

    private String chaos(EmbeddedMariaDb db, FaultProxy proxy, Random random) throws Exception {
        long end = System.nanoTime() + CHAOS.toNanos();
        int kills = 0;
        int drops = 0;
        int blackholes = 0;
        boolean restarted = false;
        while (System.nanoTime() < end) {
            Pools.idle(Duration.ofMillis(300 + random.nextInt(500)));
            int fault = random.nextInt(10);
            if (!restarted && System.nanoTime() > end - CHAOS.toNanos() / 2) {
                db.restart();
                restarted = true;
            } else if (fault < 4) {
                kills += killOne(db, random);
            } else if (fault < 8) {
                proxy.dropAll();
                drops++;
            } else {
                proxy.blackhole(true);
                Pools.idle(Duration.ofMillis(1500));
                proxy.blackhole(false);
                proxy.dropAll(); // the blackholed links stay dead, as on a real network
                blackholes++;
            }
        }
        return kills + " kills, " + drops + " drops, " + blackholes + " blackholes, " + (restarted ? 1 : 0)
                + " restart";
    }

    private static int killOne(EmbeddedMariaDb db, Random random) throws SQLException {
        try (Connection admin = db.adminConnection(); Statement statement = admin.createStatement()) {
            List<Long> sessions = new ArrayList<>();
            try (ResultSet rows = statement.executeQuery("SELECT ID FROM information_schema.PROCESSLIST WHERE USER = '"
                    + db.user() + "' AND ID <> CONNECTION_ID() AND COMMAND <> 'Daemon'")) {
                while (rows.next()) {
                    sessions.add(rows.getLong(1));
                }
            }
            if (sessions.isEmpty()) {
                return 0;
            }
            try {
                statement.execute("KILL CONNECTION " + sessions.get(random.nextInt(sessions.size())));
                return 1;
            } catch (SQLException gone) {
                return 0;
            }
        }
    }

    private Void reader(LinkGuardDataSource dataSource) {
        while (running.get()) {
            try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
                for (int n = 0; n < 10 && running.get(); n++) {
                    assertThat(single(statement, "SELECT SUM(balance) FROM accounts")).isEqualTo(TOTAL);
                    reads.incrementAndGet();
                }
            } catch (SQLException e) {
                readErrors.incrementAndGet();
            }
        }
        return null;
    }

    /**
     * Holds a session's state (a variable, a time zone, a named lock nobody else takes) and reads it back:
     * every call either fails or sees exactly that state.
     */
    private Void sessionHolder(LinkGuardDataSource dataSource) {
        while (running.get()) {
            String me = UUID.randomUUID().toString();
            try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
                statement.execute("SET @me = '" + me + "', SESSION time_zone = '+03:00'");
                try (ResultSet lock = statement.executeQuery("SELECT GET_LOCK('chaos-holder', 5)")) {
                    lock.next();
                    if (lock.getInt(1) != 1) {
                        continue; // the lost session of the last round has not ended yet
                    }
                }
                for (int n = 0; n < 10 && running.get(); n++) {
                    try (ResultSet state = statement.executeQuery("SELECT CONCAT_WS('|', @me, @@session.time_zone, "
                            + "IS_USED_LOCK('chaos-holder') = CONNECTION_ID())")) {
                        state.next();
                        if (!state.getString(1).equals(me + "|+03:00|1")) {
                            sessionMismatches.incrementAndGet();
                        }
                        sessionReads.incrementAndGet();
                    }
                }
                statement.execute("DO RELEASE_LOCK('chaos-holder')");
            } catch (SQLException e) {
                // a call failed: it said so, which is all that is asked
            }
        }
        return null;
    }

    /** Uses a temporary table: after a lost link every call must say the session is gone, never 42S02. */
    private Void temporaryTableUser(LinkGuardDataSource dataSource) {
        while (running.get()) {
            try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
                statement.execute("CREATE TEMPORARY TABLE chaos_scratch (id INT)");
                statement.execute("INSERT INTO chaos_scratch VALUES (1)");
                for (int n = 0; n < 10 && running.get(); n++) {
                    assertThat(single(statement, "SELECT COUNT(*) FROM chaos_scratch")).isEqualTo(1);
                    sessionReads.incrementAndGet();
                }
                statement.execute("DROP TEMPORARY TABLE chaos_scratch"); // the pooled session would keep it
            } catch (SQLException e) {
                if ("42S02".equals(e.getSQLState())) {
                    hiddenSessionLosses.incrementAndGet();
                } else if ("08003".equals(e.getSQLState())) {
                    sessionsLostLoudly.incrementAndGet();
                }
            }
        }
        return null;
    }

    private Void upserter(LinkGuardDataSource dataSource, int base) {
        int next = base;
        while (running.get()) {
            try (Connection connection = dataSource.getConnection();
                    PreparedStatement upsert = connection.prepareStatement("/* linkguard:idempotent */ "
                            + "INSERT INTO upserts (id, v) VALUES (?, ?) ON DUPLICATE KEY UPDATE v = VALUES(v)")) {
                for (int n = 0; n < 10 && running.get(); n++) {
                    int id = next++;
                    upsert.setInt(1, id);
                    upsert.setInt(2, id % 7);
                    upsert.executeUpdate();
                    acknowledgedUpserts.add(id);
                }
            } catch (SQLException e) {
                upsertErrors.incrementAndGet();
            }
        }
        return null;
    }

    private Void transferrer(LinkGuardDataSource dataSource, Random random) throws SQLException {
        while (running.get()) {
            try (Connection connection = dataSource.getConnection()) {
                connection.setAutoCommit(false);
                for (int n = 0; n < 10 && running.get(); n++) {
                    transfer(connection, random);
                }
            } catch (SQLException e) {
                // a lost connect after the budget: nothing was acknowledged
                transfersRolledBack.incrementAndGet();
            }
        }
        return null;
    }

    /**
     * Transfers as a SQL script does them, in auto-commit mode: START TRANSACTION, the statements, COMMIT;
     * every other one also writes the MyISAM audit table, which makes it impossible to replay.
     */
    private Void scriptedTransferrer(LinkGuardDataSource dataSource, Random random) {
        while (running.get()) {
            try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
                for (int n = 0; n < 10 && running.get(); n++) {
                    int from = 1 + random.nextInt(ACCOUNTS);
                    int to = 1 + (from % ACCOUNTS);
                    String uuid = UUID.randomUUID().toString();
                    try {
                        statement.execute("START TRANSACTION");
                        statement.executeUpdate("UPDATE accounts SET balance = balance - 10 WHERE id = " + from);
                        if (random.nextBoolean()) {
                            statement.executeUpdate("INSERT INTO audit (uuid) VALUES ('" + uuid + "')");
                        }
                        statement.executeUpdate("UPDATE accounts SET balance = balance + 10 WHERE id = " + to);
                        statement.executeUpdate("INSERT INTO transfers (uuid) VALUES ('" + uuid + "')");
                    } catch (SQLException e) {
                        statement.execute("ROLLBACK");
                        transfersRolledBack.incrementAndGet();
                        continue;
                    }
                    try {
                        statement.execute("COMMIT");
                        acknowledgedTransfers.add(uuid);
                        scriptedTransfers.incrementAndGet();
                    } catch (SQLException e) {
                        if ("08007".equals(e.getSQLState())) {
                            unknownTransfers.add(uuid);
                        } else {
                            transfersRolledBack.incrementAndGet();
                        }
                    }
                }
            } catch (SQLException e) {
                transfersRolledBack.incrementAndGet(); // the ROLLBACK itself, or the connection, failed
            }
        }
        return null;
    }

    private void transfer(Connection connection, Random random) throws SQLException {
        int from = 1 + random.nextInt(ACCOUNTS);
        int to = 1 + (from % ACCOUNTS);
        String uuid = UUID.randomUUID().toString();
        try (Statement statement = connection.createStatement()) {
            statement.executeUpdate("UPDATE accounts SET balance = balance - 10 WHERE id = " + from);
            statement.executeUpdate("UPDATE accounts SET balance = balance + 10 WHERE id = " + to);
            statement.executeUpdate("INSERT INTO transfers (uuid) VALUES ('" + uuid + "')");
        } catch (SQLException e) {
            connection.rollback();
            transfersRolledBack.incrementAndGet();
            return;
        }
        try {
            connection.commit();
            acknowledgedTransfers.add(uuid);
        } catch (SQLException e) {
            if ("08007".equals(e.getSQLState())) {
                unknownTransfers.add(uuid);
            } else {
                transfersRolledBack.incrementAndGet();
            }
            connection.rollback();
        }
    }

    private static long single(Statement statement, String sql) throws SQLException {
        try (ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = ConcurrentHashMap.newKeySet();
        all.addAll(a);
        all.addAll(b);
        return all;
    }
}
