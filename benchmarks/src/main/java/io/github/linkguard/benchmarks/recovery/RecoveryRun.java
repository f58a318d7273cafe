package io.github.linkguard.benchmarks.recovery;

import com.zaxxer.hikari.HikariDataSource;
import io.github.linkguard.benchmarks.Pools;
import io.github.linkguard.benchmarks.Pools.Side;
import io.github.linkguard.benchmarks.Table;
import io.github.linkguard.benchmarks.load.CallLoop;
import io.github.linkguard.benchmarks.load.LoopbackLoad;
import io.github.linkguard.benchmarks.load.Workload;
import io.github.linkguard.testkit.EmbeddedMariaDb;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import javax.sql.DataSource;

/**
 * The server stopped (gracefully, or killed hard) in the middle of a read load, kept down for 1 s or 5 s
 * and started again: what the application saw with bare HikariCP and with LinkGuard over the same pool
 * settings (HikariCP's defaults, 4 connections). MariaDB's own start (crash recovery after a kill) adds
 * to the time its port stays closed; the table shows both.
 */
public final class RecoveryRun {

    static final int SLOTS = 4;
    /** The application's threads, each pausing {@link #PAUSE_MILLIS} between two reads. */
    static final int THREADS = 4;
    static final long PAUSE_MILLIS = 2;

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
        Table table = new Table("Recovery: the server goes away under a read load of " + THREADS
                + " threads (HikariCP defaults, pool of " + SLOTS + ")",
                "Server", "Kept down (s)", "Start took (s)", "Unreachable (s)", "Side", "Errors to the application",
                "First success after back (ms)", "Slowest call (ms)", "Connect attempts/s while down");
        try (EmbeddedMariaDb server = EmbeddedMariaDb.builder().start()) {
            Workload.createTables(server);
            for (Scenario scenario : scenarios) {
                for (Side side : Side.values()) {
                    Outcome outcome = measure(server, scenario, side);
                    table.row(scenario.stop.label, Table.number(scenario.pauseMillis / 1e3, 0),
                            Table.number(outcome.startNanos / 1e9, 1), Table.number(outcome.downNanos / 1e9, 1),
                            side.label(),
                            outcome.errors, Table.number(outcome.firstSuccessNanos / 1e6, 0),
                            Table.number(outcome.slowestNanos / 1e6, 0), Table.number(outcome.attemptsPerSecond, 1));
                }
            }
        }
        return table.toString();
    }

    private Outcome measure(EmbeddedMariaDb server, Scenario scenario, Side side) {
        CountingDataSource driver = new CountingDataSource(LoopbackLoad.driver(server));
        Observer observer = new Observer();
        Outcome outcome = new Outcome();
        try (HikariDataSource pool = Pools.hikari("recovery-" + side, driver, SLOTS, null)) {
            DataSource front = Pools.front(side, pool, "recovery", new SimpleMeterRegistry());
            try (CallLoop loop = new CallLoop("recovery", front, Workload.PK_READ::call, THREADS,
                    TimeUnit.MILLISECONDS.toNanos(PAUSE_MILLIS), observer)) {
                CallLoop.pause(quick ? 300 : 2_000);
                long down = System.nanoTime();
                observer.watchFrom(down);
                long attemptsBefore = driver.attempts();
                if (scenario.stop == Stop.GRACEFUL) {
                    server.stop();
                } else {
                    server.kill();
                }
                CallLoop.pause(scenario.pauseMillis);
                long starting = System.nanoTime();
                long back = startAndAwaitPort(server);
                outcome.startNanos = back - starting;
                outcome.downNanos = back - down;
                outcome.attemptsPerSecond = (driver.attempts() - attemptsBefore) * 1e9 / outcome.downNanos;
                awaitSuccessAfter(observer, back);
                CallLoop.pause(quick ? 300 : 3_000);
                outcome.firstSuccessNanos = observer.firstSuccessAfter(back) - back;
            }
        }
        outcome.errors = observer.errors.sum();
        outcome.slowestNanos = observer.slowest.get();
        return outcome;
    }

    /** Starts the server and returns when its port first accepts a connection (polled every 5 ms). */
    private static long startAndAwaitPort(EmbeddedMariaDb server) {
        AtomicLong accepted = new AtomicLong();
        Thread watcher = new Thread(() -> {
            while (accepted.get() == 0) {
                try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress(server.host(), server.port()), 100);
                    accepted.set(System.nanoTime());
                } catch (IOException refused) {
                    CallLoop.pause(5);
                }
            }
        }, "recovery-port-watcher");
        watcher.setDaemon(true);
        watcher.start();
        server.start();
        try {
            watcher.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (accepted.get() == 0) {
            throw new IllegalStateException("the server started but its port accepted nothing for 10 s");
        }
        return accepted.get();
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
        long startNanos;
        long firstSuccessNanos;
        long slowestNanos;
        double attemptsPerSecond;
    }
}
