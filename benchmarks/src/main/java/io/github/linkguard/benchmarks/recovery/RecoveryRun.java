package io.github.linkguard.benchmarks.recovery;

import com.zaxxer.hikari.HikariDataSource;
import io.github.linkguard.benchmarks.Pools;
import io.github.linkguard.benchmarks.Pools.Side;
import io.github.linkguard.benchmarks.Table;
import io.github.linkguard.benchmarks.load.CallLoop;
import io.github.linkguard.benchmarks.load.LoopbackLoad;
import io.github.linkguard.benchmarks.load.Workload;
import io.github.linkguard.testkit.CountingDataSource;
import io.github.linkguard.testkit.EmbeddedMariaDb;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import javax.sql.DataSource;

/**
 * The server stopped (gracefully, or killed hard) in the middle of a read load, kept down for 1 s or 5 s
 * and started again: what the application saw with bare HikariCP and with LinkGuard over the same pool
 * settings (HikariCP's defaults, 4 connections), both sides loading the server at once so that they live
 * through the same outage. MariaDB's own start (crash recovery after a kill) adds to the time its port
 * stays closed.
 */
public final class RecoveryRun {

    static final int SLOTS = 4;
    /** The application's threads, each pausing {@link #PAUSE_MILLIS} between two reads. */
    static final int THREADS = 4;
    static final long PAUSE_MILLIS = 2;
    /** How many times each scenario runs. */
    static final int ROUNDS = 3;

    /** How the server goes away. */
    enum Stop {
        GRACEFUL("stopped gracefully"),
        KILL("killed (SIGKILL)");

        final String label;

        Stop(String label) {
            this.label = label;
        }
    }

    /** How the server goes away, and how long it stays away before it is started again. */
    private record Scenario(Stop stop, long pauseMillis) {
    }

    private final boolean quick;

    private RecoveryRun(boolean quick) {
        this.quick = quick;
    }

    /** @param quick a smoke run: one short graceful restart per side, measuring nothing */
    public static String run(boolean quick) {
        return new RecoveryRun(quick).run();
    }

    private String run() {
        List<Scenario> scenarios = quick ? List.of(new Scenario(Stop.GRACEFUL, 0))
                : List.of(new Scenario(Stop.GRACEFUL, 1_000), new Scenario(Stop.GRACEFUL, 5_000),
                        new Scenario(Stop.KILL, 1_000), new Scenario(Stop.KILL, 5_000));
        int rounds = quick ? 1 : ROUNDS;
        Table table = new Table("Recovery: the server goes away under a read load of " + THREADS
                + " threads per side, both sides at once (HikariCP defaults, pool of " + SLOTS + ")",
                "Server", "Kept down (s)", "Unreachable (s)", "Side", "Errors to the application",
                "First success after back (ms)", "Slowest call (ms)", "Connections held, most",
                "Connect attempts while down");
        Map<Side, List<Long>> lags = new EnumMap<>(Side.class);
        Map<Side, Long> attempts = new EnumMap<>(Side.class);
        try (EmbeddedMariaDb server = EmbeddedMariaDb.builder().start()) {
            Workload.createTables(server);
            for (int round = 0; round < rounds; round++) {
                for (Scenario scenario : scenarios) {
                    Map<Side, Outcome> outcomes = measure(server, scenario);
                    for (Side side : Side.values()) {
                        Outcome outcome = outcomes.get(side);
                        lags.computeIfAbsent(side, s -> new ArrayList<>()).add(outcome.firstSuccessNanos);
                        attempts.merge(side, outcome.attempts, Long::sum);
                        table.row(scenario.stop.label, Table.number(scenario.pauseMillis / 1e3, 0),
                                Table.number(outcome.downNanos / 1e9, 1), side.label(), outcome.errors,
                                Table.number(outcome.firstSuccessNanos / 1e6, 0),
                                Table.number(outcome.slowestNanos / 1e6, 0), outcome.mostOpen, outcome.attempts);
                    }
                }
            }
        }
        StringBuilder medians = new StringBuilder(table.toString()).append('\n');
        lags.forEach((side, each) -> medians.append("Median first success after back, ").append(side.label())
                .append(": ").append(Table.number(median(each) / 1e6, 0)).append(" ms over ").append(each.size())
                .append(" outages; connect attempts while down: ").append(attempts.get(side)).append(" in all\n"));
        return medians.toString();
    }

    private static double median(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int middle = sorted.size() / 2;
        return sorted.size() % 2 == 1 ? sorted.get(middle) : (sorted.get(middle - 1) + sorted.get(middle)) / 2.0;
    }

    /** One outage under both sides at once: each side its own pool, counted driver and application threads. */
    private Map<Side, Outcome> measure(EmbeddedMariaDb server, Scenario scenario) {
        Map<Side, Outcome> outcomes = new EnumMap<>(Side.class);
        Map<Side, CountingDataSource> drivers = new EnumMap<>(Side.class);
        Map<Side, Observer> observers = new EnumMap<>(Side.class);
        List<AutoCloseable> open = new ArrayList<>();
        try {
            for (Side side : Side.values()) {
                CountingDataSource driver = new CountingDataSource(LoopbackLoad.driver(server));
                HikariDataSource pool = Pools.unstartedHikari("recovery-" + side, driver, SLOTS);
                open.add(pool);
                DataSource front = Pools.front(side, pool, "recovery", new SimpleMeterRegistry());
                Pools.fill(front, pool, SLOTS);
                Observer observer = new Observer();
                open.add(new CallLoop("recovery-" + side, front, Workload.PK_READ::call, THREADS,
                        TimeUnit.MILLISECONDS.toNanos(PAUSE_MILLIS), observer));
                drivers.put(side, driver);
                observers.put(side, observer);
                outcomes.put(side, new Outcome());
            }
            CallLoop.pause(quick ? 300 : 2_000);
            long down = System.nanoTime();
            drivers.values().forEach(CountingDataSource::takeMostOpen);
            observers.values().forEach(observer -> observer.watchFrom(down));
            if (scenario.stop == Stop.GRACEFUL) {
                server.stop();
            } else {
                server.kill();
            }
            CallLoop.pause(scenario.pauseMillis);
            long back = server.startAndTimePort();
            observers.values().forEach(observer -> awaitSuccessAfter(observer, back));
            CallLoop.pause(quick ? 300 : 3_000);
            for (Side side : Side.values()) {
                Outcome outcome = outcomes.get(side);
                Observer observer = observers.get(side);
                outcome.downNanos = back - down;
                outcome.firstSuccessNanos = observer.firstSuccessAfter(back) - back;
                outcome.errors = observer.errors.sum();
                outcome.slowestNanos = observer.slowest.get();
                outcome.mostOpen = drivers.get(side).takeMostOpen();
                outcome.attempts = drivers.get(side).attemptsBetween(down, back);
            }
        } finally {
            for (int i = open.size() - 1; i >= 0; i--) {
                try {
                    open.get(i).close();
                } catch (Exception e) {
                    throw new IllegalStateException("could not close " + open.get(i), e);
                }
            }
        }
        return outcomes;
    }

    /** Waits (HikariCP's connectionTimeout and more) until a call succeeded after the server came back. */
    private static void awaitSuccessAfter(Observer observer, long back) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
        while (observer.firstSuccessAfter(back) == Long.MAX_VALUE) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no call succeeded within 40 s of the server coming back");
            }
            CallLoop.pause(10);
        }
    }

    /** What the application saw. */
    private static final class Observer implements CallLoop.Observer {
        final LongAdder errors = new LongAdder();
        final AtomicLong slowest = new AtomicLong();
        /** When successful calls ended, from {@link #watchFrom} on. */
        private final ConcurrentLinkedQueue<Long> successEnds = new ConcurrentLinkedQueue<>();
        private volatile long since = Long.MAX_VALUE;

        void watchFrom(long nanos) {
            since = nanos;
        }

        @Override
        public void called(long startNanos, long endNanos, SQLException failure) {
            slowest.accumulateAndGet(endNanos - startNanos, Math::max);
            if (failure != null) {
                errors.increment();
            } else if (endNanos >= since) {
                successEnds.add(endNanos);
            }
        }

        /** When the first call ended successfully at or after {@code nanos}; Long.MAX_VALUE if none yet. */
        long firstSuccessAfter(long nanos) {
            long first = Long.MAX_VALUE;
            for (long end : successEnds) {
                if (end >= nanos && end < first) {
                    first = end;
                }
            }
            return first;
        }
    }

    private static final class Outcome {
        long errors;
        long downNanos;
        long firstSuccessNanos;
        long slowestNanos;
        long attempts;
        int mostOpen;
    }
}
