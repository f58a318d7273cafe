package io.github.linkguard.benchmarks.recovery;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.linkguard.LinkGuardDataSource;
import io.github.linkguard.benchmarks.Table;
import io.github.linkguard.testkit.GaleraCluster;
import io.github.linkguard.testkit.ReplicationCluster;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;

/**
 * A primary failover under a write load, the application naming both servers of a GTID replication pair in its
 * URL: LinkGuard (a pool it made from the config), bare HikariCP on Connector/J's multi-host URL, and HikariCP on
 * MariaDB Connector/J's {@code sequential} mode with {@code transactionReplay=true}, all three loading the
 * cluster at once so that they live through the same event. The primary is killed (SIGKILL) and the replica
 * promoted a second later, or switched over gracefully (the primary made read-only, the replica caught up and
 * promoted, the old primary repointed). Each event on a new pair: a killed primary may have written what its
 * replica never got (the asynchronous window), and it cannot replicate from the new one without being rebuilt.
 * Where Debian's MariaDB with galera-4 is installed, each round also kills the first node of a three-node Galera
 * cluster named in the URL. Each side connects to a database of its own ({@code fo_<side>}, the table being in
 * {@code test}), so that the servers' process lists tell whose connections are where: the time until a side's
 * whole pool is on the new writer is read from them.
 */
public final class FailoverRun {

    /** Writer threads (a transaction of one insert each) and reader threads per side. */
    static final int WRITERS = 2;
    static final int READERS = 1;
    /** Each thread pauses this long between two calls, so that three sides and two servers share two cores. */
    static final long PAUSE_MILLIS = 2;
    static final int ROUNDS = 2;
    /** Each side's pool: one connection per thread. */
    static final int POOL = WRITERS + READERS;

    /** The three ways an application names the pair. */
    enum Side {
        LINKGUARD("LinkGuard"),
        BARE("bare HikariCP (Connector/J multi-host)"),
        MARIADB("MariaDB Connector/J sequential, transactionReplay");

        final String label;

        Side(String label) {
            this.label = label;
        }
    }

    /** How the writer goes. */
    enum Event {
        KILL("primary killed, replica promoted 1 s later"),
        SWITCHOVER("graceful switchover"),
        GALERA("Galera: the first node killed (three nodes)");

        final String label;

        Event(String label) {
            this.label = label;
        }
    }

    private FailoverRun() {
    }

    private static final String CREATE_TABLE = "CREATE TABLE test.failover_writes (id BIGINT AUTO_INCREMENT "
            + "PRIMARY KEY, side VARCHAR(16) NOT NULL, token BIGINT NOT NULL)";
    /** A side's own database, which its URL names and the process lists show. */
    private static String database(Side side) {
        return "fo_" + side.name().toLowerCase(java.util.Locale.ROOT);
    }

    /** @param quick a smoke run: one killed primary, measuring nothing */
    public static String run(boolean quick) {
        Table table = new Table("Failover: a GTID replication pair (and a Galera cluster) on loopback named in the URL, " + WRITERS
                + " writers and " + READERS + " reader per side, all three sides at once",
                "Event", "Side", "Failures in the application (by SQLState)", "First write after the writer's "
                        + "loss (ms)", "after the promotion (ms)", "Whole pool on the new writer, after the promotion "
                        + "(ms)", "Acked writes missing (async window) / doubled", "Writes acknowledged",
                "Transactions replayed (LinkGuard's meters: replays + COMMITs)");
        try {
            List<Event> events = quick ? List.of(Event.KILL) : List.of(Event.KILL, Event.SWITCHOVER);
            for (int round = 0; round < (quick ? 1 : ROUNDS); round++) {
                for (Event event : events) {
                    try (ReplicationCluster cluster = ReplicationCluster.start(2)) {
                        measure(cluster, event, table);
                    }
                }
                if (!quick && GaleraCluster.available()) {
                    try (GaleraCluster cluster = GaleraCluster.start(3)) {
                        measure(cluster, table);
                    }
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException("the failover benchmark failed: " + e.getMessage(), e);
        }
        return table.toString();
    }

    /**
     * The Galera event: the node every side writes to (the first of the URL) is killed; the two others stay the
     * primary component. No promotion: the "after the promotion" column is the time after the kill.
     */
    private static void measure(GaleraCluster cluster, Table table) throws Exception {
        try (Connection node = cluster.connect(0); Statement ddl = node.createStatement()) {
            ddl.execute(CREATE_TABLE);
            for (Side side : Side.values()) {
                ddl.execute("CREATE DATABASE " + database(side)); // the cluster's user may: every privilege
            }
        }
        Map<Side, Load> loads = new TreeMap<>();
        List<AutoCloseable> open = new ArrayList<>();
        try {
            startLoads(cluster.jdbcUrl(), cluster.user(), cluster.password(), loads, open);
            long lostAt = System.nanoTime();
            cluster.kill(0);
            try (PoolWatch watch = new PoolWatch(List.of(() -> cluster.connect(1), () -> cluster.connect(2)), lostAt)) {
                for (Load load : loads.values()) {
                    load.awaitAckedAfter(lostAt, 20);
                }
                watch.awaitWholePools(loads.keySet());
                loads.values().forEach(Load::stop);
                for (Load load : loads.values()) {
                    Map<Long, Long> onTheCluster = tokens(() -> cluster.connect(1), load.side, true);
                    row(table, Event.GALERA, load, onTheCluster, lostAt, lostAt, watch);
                }
            }
        } finally {
            loads.values().forEach(Load::stop);
            for (AutoCloseable each : open) {
                each.close();
            }
        }
    }

    private static void measure(ReplicationCluster cluster, Event event, Table table) throws Exception {
        int from = 0;
        int to = 1;
        try (Connection primary = cluster.connect(from); Statement ddl = primary.createStatement()) {
            ddl.execute(CREATE_TABLE);
        }
        for (Side side : Side.values()) { // made on each server as the root user, not replicated (as the user)
            for (int i = 0; i < cluster.size(); i++) {
                cluster.server(i).execute("SET SESSION sql_log_bin = 0", "CREATE DATABASE " + database(side),
                        "GRANT ALL PRIVILEGES ON " + database(side) + ".* TO '" + cluster.user() + "'@'%'");
            }
        }
        cluster.awaitReplicated(to, from, 30);
        Map<Side, Load> loads = new TreeMap<>();
        List<AutoCloseable> open = new ArrayList<>();
        try {
            startLoads(cluster.jdbcUrl(), cluster.user(), cluster.password(), loads, open);
            long lostAt = System.nanoTime();
            if (event == Event.KILL) {
                cluster.server(from).kill();
                TimeUnit.SECONDS.sleep(1);
            } else {
                cluster.server(from).execute("SET GLOBAL read_only = ON");
                cluster.awaitReplicated(to, from, 30);
            }
            cluster.promote(to);
            long promotedAt = System.nanoTime();
            try (PoolWatch watch = new PoolWatch(List.of(() -> cluster.connect(to)), promotedAt)) {
                for (Load load : loads.values()) {
                    load.awaitAckedAfter(promotedAt, 20);
                }
                watch.awaitWholePools(loads.keySet());
                loads.values().forEach(Load::stop);
                if (event == Event.SWITCHOVER) {
                    cluster.replicate(from, to); // the old primary follows the new one
                }
                for (Load load : loads.values()) {
                    row(table, event, load, tokens(() -> cluster.connect(to), load.side, false), lostAt, promotedAt,
                            watch);
                }
            }
        } finally {
            loads.values().forEach(Load::stop);
            for (AutoCloseable each : open) {
                each.close();
            }
        }
    }

    /** Every side's load on {@code url}, started, each with 20 writes acknowledged. */
    private static void startLoads(String url, String user, String password, Map<Side, Load> loads,
            List<AutoCloseable> open) throws InterruptedException {
        for (Side side : Side.values()) {
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            Load load = new Load(side, dataSource(url, user, password, side, registry, open), registry);
            loads.put(side, load);
            load.start();
        }
        for (Load load : loads.values()) {
            load.awaitAckedAfter(System.nanoTime() - TimeUnit.SECONDS.toNanos(60), 20);
        }
    }

    private static void row(Table table, Event event, Load load, Map<Long, Long> written, long lostAt,
            long promotedAt, PoolWatch watch) {
        long missing = load.acked.stream().filter(token -> !written.containsKey(token)).count();
        long doubled = written.values().stream().filter(count -> count > 1).count();
        long first = load.firstAckAfter(promotedAt);
        Long wholePool = watch.wholePoolAt(load.side);
        table.row(event.label, load.side.label, load.failures.isEmpty() ? "0" : load.failures.toString(),
                first == Long.MAX_VALUE ? "never" : Table.number((first - lostAt) / 1e6, 0),
                first == Long.MAX_VALUE ? "never" : Table.number((first - promotedAt) / 1e6, 0),
                wholePool == null ? "never" : Table.number((wholePool - promotedAt) / 1e6, 0),
                missing + " / " + doubled, load.acked.size(), load.replayed());
    }

    private static DataSource dataSource(String url, String user, String password, Side side, MeterRegistry registry,
            List<AutoCloseable> open) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("failover-" + side.name().toLowerCase());
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(POOL);
        config.setConnectionTimeout(10_000);
        String own = url.replace("/test?", "/" + database(side) + "?");
        if (side == Side.MARIADB) {
            config.setDriverClassName("org.mariadb.jdbc.Driver");
            config.setJdbcUrl(own.replace("jdbc:mysql://", "jdbc:mariadb:sequential://")
                    .replace("sslMode=DISABLED&allowPublicKeyRetrieval=true", "transactionReplay=true"));
        } else {
            config.setJdbcUrl(own);
        }
        if (side == Side.LINKGUARD) {
            LinkGuardDataSource guarded = LinkGuardDataSource.hikari(config).name(config.getPoolName())
                    .meterRegistry(registry).build();
            open.add(guarded);
            return guarded;
        }
        HikariDataSource pool = new HikariDataSource(config);
        open.add(pool);
        return pool;
    }

    /** A connection to one server. */
    @FunctionalInterface
    private interface Server {
        Connection connect() throws SQLException;
    }

    /**
     * How often each token of {@code side} is on {@code server}; on a Galera node ({@code causal}) once it applied
     * everything the cluster committed.
     */
    private static Map<Long, Long> tokens(Server server, Side side, boolean causal) throws SQLException {
        Map<Long, Long> tokens = new ConcurrentHashMap<>();
        try (Connection connection = server.connect(); PreparedStatement query = connection.prepareStatement(
                "SELECT token, COUNT(*) FROM test.failover_writes WHERE side = ? GROUP BY token")) {
            if (causal) {
                try (Statement wait = connection.createStatement()) {
                    wait.execute("SET SESSION wsrep_sync_wait = 1");
                }
            }
            query.setString(1, side.name());
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    tokens.put(rows.getLong(1), rows.getLong(2));
                }
            }
        }
        return tokens;
    }

    /** One side's writers and readers, until stopped. */
    private static final class Load {
        final Side side;
        final DataSource dataSource;
        /** LinkGuard's meters (the other sides report none). */
        final MeterRegistry registry;
        final Set<Long> acked = ConcurrentHashMap.newKeySet();
        final Map<Long, Long> ackedAt = new ConcurrentHashMap<>();
        final Map<String, AtomicLong> failures = new ConcurrentHashMap<>();
        final AtomicBoolean running = new AtomicBoolean(true);
        final ExecutorService threads = Executors.newFixedThreadPool(WRITERS + READERS);

        Load(Side side, DataSource dataSource, MeterRegistry registry) {
            this.side = side;
            this.dataSource = dataSource;
            this.registry = registry;
        }

        /** Transactions LinkGuard replayed (lost mid-way, and at their COMMIT); the other sides do not count theirs. */
        String replayed() {
            if (side != Side.LINKGUARD) {
                return side == Side.BARE ? "-" : "not counted";
            }
            double midWay = registry.find("linkguard.replays").tag("outcome", "replayed").counters().stream()
                    .mapToDouble(Counter::count).sum();
            double atCommit = registry.find("linkguard.commit.outcomes").tag("outcome", "replayed").counters().stream()
                    .mapToDouble(Counter::count).sum();
            return (long) midWay + " + " + (long) atCommit;
        }

        void start() {
            for (int i = 0; i < WRITERS + READERS; i++) {
                boolean writer = i < WRITERS;
                threads.submit(() -> {
                    while (running.get()) {
                        try {
                            if (writer) {
                                write();
                            } else {
                                read();
                            }
                        } catch (SQLException e) {
                            failures.computeIfAbsent(String.valueOf(e.getSQLState()), s -> new AtomicLong())
                                    .incrementAndGet();
                        }
                        pause();
                    }
                });
            }
        }

        private void write() throws SQLException {
            long token = ThreadLocalRandom.current().nextLong();
            try (Connection connection = dataSource.getConnection()) {
                connection.setAutoCommit(false);
                try (PreparedStatement insert = connection.prepareStatement(
                        "INSERT INTO test.failover_writes (side, token) VALUES (?, ?)")) {
                    insert.setString(1, side.name());
                    insert.setLong(2, token);
                    insert.executeUpdate();
                }
                connection.commit();
            }
            acked.add(token);
            ackedAt.put(token, System.nanoTime());
        }

        private void read() throws SQLException {
            try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
                    ResultSet rows = statement.executeQuery("SELECT COUNT(*) FROM test.failover_writes")) {
                rows.next();
            }
        }

        private static void pause() {
            pause(PAUSE_MILLIS);
        }

        static void pause(long millis) {
            try {
                TimeUnit.MILLISECONDS.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** Waits until {@code count} writes were acknowledged after {@code nanos}, at most 15 s (then gives up). */
        void awaitAckedAfter(long nanos, int count) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (ackedAt.values().stream().filter(at -> at - nanos >= 0).count() < count
                    && System.nanoTime() - deadline < 0) {
                TimeUnit.MILLISECONDS.sleep(10);
            }
        }

        long firstAckAfter(long nanos) {
            return ackedAt.values().stream().filter(at -> at - nanos >= 0).min(Long::compare).orElse(Long.MAX_VALUE);
        }

        void stop() {
            running.set(false);
            threads.shutdown();
            try {
                threads.awaitTermination(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Polls the process lists of the servers that take over (every 10 ms, from {@code since}) and notes when each
     * side first had its whole pool there: {@value #POOL} connections in its own database.
     */
    private static final class PoolWatch implements AutoCloseable {
        private final Map<Side, Long> wholeAt = new ConcurrentHashMap<>();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread poller;

        PoolWatch(List<Server> servers, long since) {
            poller = new Thread(() -> poll(servers, since), "pool-watch");
            poller.setDaemon(true);
            poller.start();
        }

        private void poll(List<Server> servers, long since) {
            while (running.get()) {
                Map<String, Long> counts = new TreeMap<>();
                for (Server server : servers) {
                    try (Connection connection = server.connect(); Statement query = connection.createStatement();
                            ResultSet rows = query.executeQuery("SELECT DB, COUNT(*) FROM information_schema.PROCESSLIST "
                                    + "WHERE DB LIKE 'fo\\_%' GROUP BY DB")) {
                        while (rows.next()) {
                            counts.merge(rows.getString(1), rows.getLong(2), Long::sum);
                        }
                    } catch (SQLException notYet) {
                        // a server still starting or going: counted at the next poll
                    }
                }
                long now = System.nanoTime();
                for (Side side : Side.values()) {
                    if (now - since >= 0 && counts.getOrDefault(database(side), 0L) >= POOL) {
                        wholeAt.putIfAbsent(side, now);
                    }
                }
                Load.pause(10);
            }
        }

        /** Waits until every side's whole pool was seen on the servers, at most 15 s (then gives up). */
        void awaitWholePools(Set<Side> sides) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (!wholeAt.keySet().containsAll(sides) && System.nanoTime() - deadline < 0) {
                TimeUnit.MILLISECONDS.sleep(10);
            }
        }

        /** When {@code side} first had its whole pool on the servers (nanoTime), or null if never. */
        Long wholePoolAt(Side side) {
            return wholeAt.get(side);
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            poller.join(5_000);
        }
    }
}
