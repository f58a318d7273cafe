package io.github.linkguard.internal.metrics;

import io.github.linkguard.Cause;
import io.github.linkguard.Phase;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * LinkGuard's meters in a Micrometer registry, one DataSource's worth. Each counter is registered the
 * first time its tag set occurs and then kept in a slot indexed by the enums' ordinals, so a report is an
 * array read and an increment, never a registry lookup.
 */
public final class MicrometerMetrics implements LinkGuardMetrics {

    /** Link failures observed, tagged {@code datasource}, {@code cause}, {@code phase}. */
    public static final String FAILURES = "linkguard.failures";
    /** Final outcomes of operations that met a link failure, tagged {@code datasource}, {@code cause}, {@code outcome}. */
    public static final String RETRIES = "linkguard.retries";

    /** Retries made, tagged {@code datasource}, {@code cause}. */
    public static final String RETRY_ATTEMPTS = "linkguard.retry.attempts";
    /** Time from the first failed attempt to the success of a recovered operation, tagged {@code datasource}. */
    public static final String RECOVERY = "linkguard.recovery";
    /**
     * Time from the server accepting a connection again after an outage to the first operation that waited
     * through it succeeding, tagged {@code datasource}.
     */
    public static final String SERVER_BACK = "linkguard.server.back";

    /** 1 while the last preflight found a finding, else 0, tagged {@code datasource}, {@code finding}. */
    public static final String PREFLIGHT = "linkguard.preflight";
    /** Remedies applied after lost links, tagged {@code datasource}, {@code action}. */
    public static final String REMEDIES = "linkguard.remedies";
    /**
     * COMMITs lost with their link, by how LinkGuard resolved them, tagged {@code datasource}, {@code outcome}
     * ({@code committed}, {@code replayed}, {@code rolled-back}, {@code unknown}).
     */
    public static final String COMMIT_OUTCOMES = "linkguard.commit.outcomes";
    /**
     * Transactions lost with their link, by what their replay did, tagged {@code datasource}, {@code outcome}
     * ({@code replayed}, {@code rolled-back}, {@code not-replayed}).
     */
    public static final String REPLAYS = "linkguard.replays";
    /**
     * With a multi-host URL: the server the pool writes to, by its place in the URL (from 0), -1 while none is
     * known, tagged {@code datasource}.
     */
    public static final String WRITER = "linkguard.writer";
    /** With a multi-host URL: how often the writer changed (a failover seen), tagged {@code datasource}. */
    public static final String WRITER_SWITCHES = "linkguard.writer.switches";
    /** Retries the retry budget refused, tagged {@code datasource}, {@code cause}. */
    public static final String BUDGET_REFUSED = "linkguard.retry.budget.refused";

    private static final String[] REPLAY_OUTCOMES = {"replayed", "rolled-back", "not-replayed"};
    private static final int PHASES = Phase.values().length;
    private static final int OUTCOMES = RetryOutcome.values().length;

    private final MeterRegistry registry;
    private final String dataSource;
    private final AtomicReferenceArray<Counter> failures = new AtomicReferenceArray<>(Cause.values().length * PHASES);
    private final AtomicReferenceArray<Counter> outcomes = new AtomicReferenceArray<>(Cause.values().length * OUTCOMES);
    private final AtomicReferenceArray<Counter> attempts = new AtomicReferenceArray<>(Cause.values().length);
    private final AtomicReferenceArray<Counter> refused = new AtomicReferenceArray<>(Cause.values().length);
    private volatile Timer recovery;
    private final Timer serverBack;
    private final Map<String, AtomicInteger> findings = new ConcurrentHashMap<>();
    private final Map<String, Counter> remedies = new ConcurrentHashMap<>();
    private final Map<String, Counter> commitOutcomes = new ConcurrentHashMap<>();
    private final Map<String, Counter> replays = new ConcurrentHashMap<>();
    /** The writer's place in the URL; its meters registered with the first writer learned. */
    private final AtomicInteger writer = new AtomicInteger(-1);
    private volatile Counter writerSwitches;
    /** The last writer learned, to count switches (not the loss of one and its coming back). */
    private int lastWriter = -1;

    /** Meters of the DataSource named {@code dataSource} in {@code registry}. */
    public MicrometerMetrics(MeterRegistry registry, String dataSource) {
        this.registry = registry;
        this.dataSource = dataSource;
        // registered at once, so that dashboards show "no outage yet" rather than no data
        this.serverBack = Timer.builder(SERVER_BACK)
                .description("Time from the server accepting connections again after an outage to the first "
                        + "operation that waited through it succeeding")
                .tag("datasource", dataSource)
                .register(registry);
        for (String outcome : REPLAY_OUTCOMES) { // "no replay yet", by outcome
            replay(outcome, 0);
        }
    }

    @Override
    public void failure(Cause cause, Phase phase) {
        int slot = cause.ordinal() * PHASES + phase.ordinal();
        Counter counter = failures.get(slot);
        if (counter == null) {
            counter = Counter.builder(FAILURES)
                    .description("Lost links to the database, each failed attempt")
                    .tag("datasource", dataSource).tag("cause", cause.id()).tag("phase", phase.id())
                    .register(registry);
            failures.set(slot, counter);
        }
        counter.increment();
    }

    @Override
    public void outcome(Cause cause, RetryOutcome outcome) {
        int slot = cause.ordinal() * OUTCOMES + outcome.ordinal();
        Counter counter = outcomes.get(slot);
        if (counter == null) {
            counter = Counter.builder(RETRIES)
                    .description("Final outcome of each operation that met a lost link")
                    .tag("datasource", dataSource).tag("cause", cause.id()).tag("outcome", outcome.id())
                    .register(registry);
            outcomes.set(slot, counter);
        }
        counter.increment();
    }

    @Override
    public void retries(Cause cause, int count) {
        byCause(attempts, RETRY_ATTEMPTS, "Retries made after lost links", cause).increment(count);
    }

    @Override
    public void budgetRefused(Cause cause) {
        byCause(refused, BUDGET_REFUSED, "Retries after lost links that the retry budget refused", cause).increment();
    }

    private Counter byCause(AtomicReferenceArray<Counter> slots, String name, String description, Cause cause) {
        Counter counter = slots.get(cause.ordinal());
        if (counter == null) {
            counter = Counter.builder(name).description(description)
                    .tag("datasource", dataSource).tag("cause", cause.id())
                    .register(registry);
            slots.set(cause.ordinal(), counter);
        }
        return counter;
    }

    @Override
    public void recoveryTime(long nanos) {
        Timer timer = recovery;
        if (timer == null) {
            timer = Timer.builder(RECOVERY)
                    .description("Time from the first failed attempt to the success of an operation that recovered")
                    .tag("datasource", dataSource)
                    .register(registry);
            recovery = timer;
        }
        timer.record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void preflight(String findingId, boolean found) {
        findings.computeIfAbsent(findingId, id -> {
            AtomicInteger value = new AtomicInteger();
            Gauge.builder(PREFLIGHT, value, AtomicInteger::get)
                    .description("1 while LinkGuard's last preflight found this misconfiguration, else 0")
                    .tag("datasource", dataSource).tag("finding", id)
                    .register(registry);
            return value;
        }).set(found ? 1 : 0);
    }

    @Override
    public void remedy(String action) {
        counted(remedies, REMEDIES, "Remedies LinkGuard applied after lost links (evictions, raised timeouts)",
                "action", action).increment();
    }

    @Override
    public void serverBack(long nanos) {
        serverBack.record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void commitOutcome(String outcome) {
        counted(commitOutcomes, COMMIT_OUTCOMES, "COMMITs lost with their link, by how LinkGuard resolved them",
                "outcome", outcome).increment();
    }

    @Override
    public void replay(String outcome) {
        replay(outcome, 1);
    }

    private void replay(String outcome, int count) {
        counted(replays, REPLAYS, "Transactions lost with their link, by what their replay on a fresh link did",
                "outcome", outcome).increment(count);
    }

    @Override
    public synchronized void writer(int server) {
        if (writerSwitches == null) {
            Gauge.builder(WRITER, writer, AtomicInteger::get)
                    .description("The server the pool writes to, by its place in the multi-host URL (from 0); -1 "
                            + "while none is known (a failover under way)")
                    .tag("datasource", dataSource).register(registry);
            writerSwitches = Counter.builder(WRITER_SWITCHES)
                    .description("How often the writer among the servers of the URL changed")
                    .tag("datasource", dataSource).register(registry);
        }
        writer.set(server);
        if (server >= 0) {
            if (lastWriter >= 0 && lastWriter != server) {
                writerSwitches.increment();
            }
            lastWriter = server;
        }
    }

    /** The counter {@code name} of this DataSource tagged {@code tag=value}, registered the first time. */
    private Counter counted(Map<String, Counter> counters, String name, String description, String tag, String value) {
        return counters.computeIfAbsent(value, id -> Counter.builder(name).description(description)
                .tag("datasource", dataSource).tag(tag, id).register(registry));
    }
}
