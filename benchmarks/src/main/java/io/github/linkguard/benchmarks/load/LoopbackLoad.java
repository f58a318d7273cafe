package io.github.linkguard.benchmarks.load;

import com.mysql.cj.jdbc.MysqlDataSource;
import com.zaxxer.hikari.HikariDataSource;
import io.github.linkguard.benchmarks.Pools;
import io.github.linkguard.benchmarks.Pools.Side;
import io.github.linkguard.benchmarks.Table;
import io.github.linkguard.testkit.EmbeddedMariaDb;
import io.github.linkguard.testkit.FaultProxy;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import javax.sql.DataSource;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Real round trips over loopback to the embedded MariaDB: the same HikariCP pool used bare and through
 * LinkGuard (metrics on for both), in rounds that alternate the sides (A B, B A, ...) so that drift of the
 * machine or the server weighs on both alike. Compares throughput and p99 latency per workload and thread
 * count.
 */
public final class LoopbackLoad {

    /** The pool's size; the runs use this many threads and four times as many. */
    static final int SLOTS = 4;
    /** Goal: LinkGuard's throughput at least this share of bare HikariCP's. */
    static final double MIN_THROUGHPUT_RATIO = 0.98;
    /** Goal: LinkGuard's p99 latency at most this multiple of bare HikariCP's. */
    static final double MAX_P99_RATIO = 1.05;
    /** What the proxied run adds to each direction: a round trip of a LAN. */
    private static final Duration PROXY_DELAY = Duration.ofMillis(1);
    /**
     * The server's {@code innodb_flush_log_at_trx_commit} ({@code -Dbenchmarks.flushLogAtTrxCommit}): 2 by default
     * (no disk flush per COMMIT, so that the server's CPU is what is measured), 1 for the server's own default.
     */
    private static final int FLUSH_LOG_AT_TRX_COMMIT = Integer.getInteger("benchmarks.flushLogAtTrxCommit", 2);

    private final int rounds;
    private final long roundMillis;
    private final long warmupMillis;

    /** Whether to run only the transaction workloads, without the session tracking table. */
    private final boolean transactionsOnly;

    private LoopbackLoad(boolean quick, boolean transactionsOnly) {
        this.transactionsOnly = transactionsOnly;
        // the focused run takes more, shorter rounds: the mean of the round ratios settles closer
        this.rounds = quick ? 2 : transactionsOnly ? 30 : 10;
        this.roundMillis = quick ? 200 : transactionsOnly ? 2_000 : 3_000;
        this.warmupMillis = quick ? 200 : 3_000;
    }

    /** @param quick a smoke run: two short rounds of each, measuring nothing */
    public static String run(boolean quick) {
        return new LoopbackLoad(quick, false).run();
    }

    /** Only the {@code @Transactional}-style workloads, bare HikariCP against LinkGuard with replay on. */
    public static String runTransactions(boolean quick) {
        return new LoopbackLoad(quick, true).run();
    }

    private String run() {
        Table tracking = new Table("Server session tracking off vs on, both through LinkGuard (Connector/J "
                + "trackSessionState, session_track_state_change=ON and session_track_transaction_info=STATE, which "
                + "LinkGuard asks for by default; same "
                + "rounds)", "Workload", "Threads", "off calls/s", "on calls/s", "Ratio (goal ≥ " + MIN_THROUGHPUT_RATIO
                + ")", "Round by round: median (min–max)", "off p99 ms", "on p99 ms", "Ratio (goal ≤ "
                + MAX_P99_RATIO + ")", "Errors", "Met");
        Table table = new Table("Loopback load against the embedded MariaDB (" + rounds + " alternating rounds of "
                + roundMillis / 1000.0 + " s per side, pool of " + SLOTS
                + (transactionsOnly ? "; the server's session and transaction reports on, for both sides" : "")
                + "; innodb_flush_log_at_trx_commit=" + FLUSH_LOG_AT_TRX_COMMIT + ")",
                "Workload", "Threads", "bare calls/s", "LinkGuard calls/s", "Ratio (goal ≥ " + MIN_THROUGHPUT_RATIO
                        + ")", "Round by round: median (min–max)", "bare p99 ms", "LinkGuard p99 ms",
                "Ratio (goal ≤ " + MAX_P99_RATIO + ")", "Errors", "Met");
        try (EmbeddedMariaDb server = EmbeddedMariaDb.builder()
                .serverVariable("innodb_flush_log_at_trx_commit", FLUSH_LOG_AT_TRX_COMMIT)
                .serverVariable("max_connections", 50)
                .start()) {
            Workload.createTables(server);
            MeterRegistry registry = new SimpleMeterRegistry();
            // the transactions alone run as LinkGuard runs them by default: with the server's reports
            MysqlDataSource driver = transactionsOnly ? tracked(driver(server)) : driver(server);
            try (HikariDataSource pool = Pools.hikari("load", driver, SLOTS, registry)) {
                Map<Side, DataSource> sides = bareAndGuarded(pool, "load", registry);
                for (Workload workload : Workload.values()) {
                    for (int threads : new int[] {SLOTS, 4 * SLOTS}) {
                        if (workload.transaction() || !transactionsOnly) {
                            compare(table, workload, threads, sides);
                        }
                    }
                }
                if (transactionsOnly) {
                    return table + "\n" + throughProxy(server, registry);
                }
                try (HikariDataSource trackedPool = Pools.hikari("tracked", tracked(driver(server)), SLOTS, registry)) {
                    Map<Side, DataSource> trackingOffOn = new EnumMap<>(Side.class);
                    trackingOffOn.put(Side.BARE, sides.get(Side.LINKGUARD));
                    trackingOffOn.put(Side.LINKGUARD, Pools.front(Side.LINKGUARD, trackedPool, "tracked", registry));
                    for (Workload workload : Workload.values()) {
                        for (int threads : new int[] {SLOTS, 4 * SLOTS}) {
                            if (!workload.transaction()) {
                                compare(tracking, workload, threads, trackingOffOn);
                            }
                        }
                    }
                }
            }
        }
        return table + "\n" + tracking;
    }

    /**
     * The transactions again through the test kit's proxy adding {@link #PROXY_DELAY} each way (a LAN-like round
     * trip), where round trips weigh more than anything else: fewer rounds tell the sides apart.
     */
    private String throughProxy(EmbeddedMariaDb server, MeterRegistry registry) {
        int proxyRounds = Math.min(rounds, 10);
        Table table = new Table("The same through the test kit's proxy, " + PROXY_DELAY.toMillis() + " ms added each way ("
                + proxyRounds + " alternating rounds of " + roundMillis / 1000.0 + " s per side, pool of " + SLOTS + ")",
                "Workload", "Threads", "bare calls/s", "LinkGuard calls/s", "Ratio (goal ≥ " + MIN_THROUGHPUT_RATIO
                        + ")", "Round by round: median (min–max)", "bare p99 ms", "LinkGuard p99 ms",
                "Ratio (goal ≤ " + MAX_P99_RATIO + ")", "Errors", "Met");
        try (FaultProxy proxy = FaultProxy.start(server.host(), server.port())) {
            proxy.delay(FaultProxy.Direction.CLIENT_TO_SERVER, PROXY_DELAY);
            proxy.delay(FaultProxy.Direction.SERVER_TO_CLIENT, PROXY_DELAY);
            MysqlDataSource driver = tracked(driver(server));
            driver.setUrl(EmbeddedMariaDb.jdbcUrl(proxy.host(), proxy.port()));
            try (HikariDataSource pool = Pools.hikari("proxied", driver, SLOTS, registry)) {
                Map<Side, DataSource> sides = bareAndGuarded(pool, "proxied", registry);
                for (Workload workload : Workload.values()) {
                    for (int threads : new int[] {SLOTS, 4 * SLOTS}) {
                        if (workload.transaction()) {
                            compare(table, workload, threads, sides, proxyRounds);
                        }
                    }
                }
            }
        }
        return table.toString();
    }

    /** The pool bare, and through LinkGuard. */
    private static Map<Side, DataSource> bareAndGuarded(HikariDataSource pool, String name, MeterRegistry registry) {
        Map<Side, DataSource> sides = new EnumMap<>(Side.class);
        sides.put(Side.BARE, pool);
        sides.put(Side.LINKGUARD, Pools.front(Side.LINKGUARD, pool, name, registry));
        return sides;
    }

    /** {@code driver} with the server's session reports on, as LinkGuard asks for them on a pool by URL. */
    private static MysqlDataSource tracked(MysqlDataSource driver) {
        try {
            driver.setTrackSessionState(true);
            driver.setSessionVariables("session_track_state_change=ON,session_track_transaction_info=STATE");
            return driver;
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The driver's DataSource for {@code server}, as an application would configure it. */
    public static MysqlDataSource driver(EmbeddedMariaDb server) {
        MysqlDataSource driver = new MysqlDataSource();
        driver.setUrl(server.jdbcUrl());
        driver.setUser(server.user());
        driver.setPassword(server.password());
        return driver;
    }

    private void compare(Table table, Workload workload, int threads, Map<Side, DataSource> sides) {
        compare(table, workload, threads, sides, rounds);
    }

    private void compare(Table table, Workload workload, int threads, Map<Side, DataSource> sides, int rounds) {
        Map<Side, Measured> measured = new EnumMap<>(Side.class);
        for (Side side : Side.values()) {
            measured.put(side, new Measured());
            new Measured().measure(sides.get(side), workload, threads, warmupMillis); // warm-up, not counted
        }
        for (int round = 0; round < rounds; round++) {
            Side first = round % 2 == 0 ? Side.BARE : Side.LINKGUARD;
            Side second = first == Side.BARE ? Side.LINKGUARD : Side.BARE;
            measured.get(first).measure(sides.get(first), workload, threads, roundMillis);
            measured.get(second).measure(sides.get(second), workload, threads, roundMillis);
        }
        Measured bare = measured.get(Side.BARE);
        Measured linkGuard = measured.get(Side.LINKGUARD);
        double throughputRatio = linkGuard.callsPerSecond() / bare.callsPerSecond();
        double p99Ratio = linkGuard.p99Millis() / bare.p99Millis();
        double[] roundRatios = new double[rounds];
        for (int round = 0; round < rounds; round++) {
            roundRatios[round] = linkGuard.roundRates.get(round) / bare.roundRates.get(round);
        }
        Arrays.sort(roundRatios);
        double median = (roundRatios[(rounds - 1) / 2] + roundRatios[rounds / 2]) / 2;
        table.row(workload.label(), threads, Table.number(bare.callsPerSecond(), 0),
                Table.number(linkGuard.callsPerSecond(), 0), Table.number(throughputRatio, 3),
                Table.number(median, 3) + " (" + Table.number(roundRatios[0], 3) + "–"
                        + Table.number(roundRatios[rounds - 1], 3) + ")",
                Table.number(bare.p99Millis(), 3), Table.number(linkGuard.p99Millis(), 3), Table.number(p99Ratio, 3),
                bare.errors.sum() + " / " + linkGuard.errors.sum(),
                Table.met(throughputRatio >= MIN_THROUGHPUT_RATIO && p99Ratio <= MAX_P99_RATIO));
    }

    /** One side's calls over all its rounds. */
    private static final class Measured {
        private final Histogram latencies = new Histogram(3);
        private final LongAdder errors = new LongAdder();
        /** Calls per second of each round. */
        private final List<Double> roundRates = new ArrayList<>();
        private long nanos;

        void measure(DataSource dataSource, Workload workload, int threads, long millis) {
            Recorder recorder = new Recorder(3);
            long start = System.nanoTime();
            try (CallLoop loop = new CallLoop("load", dataSource, workload::call, threads, 0,
                    (callStart, callEnd, failure) -> {
                        if (failure == null) {
                            recorder.recordValue(callEnd - callStart);
                        } else {
                            errors.increment();
                        }
                    })) {
                CallLoop.pause(millis);
            }
            long elapsed = System.nanoTime() - start;
            Histogram round = recorder.getIntervalHistogram();
            nanos += elapsed;
            latencies.add(round);
            roundRates.add(round.getTotalCount() * 1e9 / elapsed);
        }

        double callsPerSecond() {
            return latencies.getTotalCount() * 1e9 / nanos;
        }

        double p99Millis() {
            return latencies.getValueAtPercentile(99) / 1e6;
        }
    }
}
