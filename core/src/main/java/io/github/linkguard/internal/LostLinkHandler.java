package io.github.linkguard.internal;

import io.github.linkguard.Diagnosis;
import io.github.linkguard.Incident;
import io.github.linkguard.LostLinkDiagnosis;
import io.github.linkguard.Phase;
import io.github.linkguard.ServerReading;
import io.github.linkguard.internal.diagnosis.Activity;
import io.github.linkguard.internal.diagnosis.ClientSettings;
import io.github.linkguard.internal.diagnosis.Diagnostician;
import io.github.linkguard.internal.diagnosis.ExceptionEvidence;
import io.github.linkguard.internal.diagnosis.ServerEvidence;
import io.github.linkguard.internal.diagnosis.ServerProbe;
import io.github.linkguard.internal.metrics.LinkGuardMetrics;
import io.github.linkguard.internal.metrics.RetryOutcome;
import io.github.linkguard.internal.pool.Comeback;
import io.github.linkguard.internal.remedy.Remedies;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every SQLException a LinkGuard DataSource passes on goes through here: ordinary SQL errors leave
 * untouched; a lost link is diagnosed (reading the server's evidence if needed), the diagnosis attached to
 * the exception, logged once as a WARN line, and counted.
 */
public final class LostLinkHandler implements AutoCloseable {

    /** How many incidents each DataSource remembers. */
    private static final int MAX_INCIDENTS = 50;

    private static final Logger log = LoggerFactory.getLogger("io.github.linkguard.LinkGuard");

    private final String dataSource;
    private final ServerProbe probe;
    private final LinkGuardMetrics metrics;
    private final ClientSettings client;
    private final Comeback comeback;
    private final Remedies remedies;
    private final Recent<Incident> incidents = new Recent<>(MAX_INCIDENTS);

    /**
     * @param dataSource the DataSource's name (metrics tag and log prefix)
     * @param probe reads the server's evidence, or null to diagnose from the client side only
     * @param metrics where failures are counted
     * @param client the driver settings of the DataSource
     * @param comeback when the server last came back after an outage
     * @param remedies what is applied after the lost links that call for it
     */
    public LostLinkHandler(String dataSource, ServerProbe probe, LinkGuardMetrics metrics, ClientSettings client,
            Comeback comeback, Remedies remedies) {
        this.dataSource = dataSource;
        this.probe = probe;
        this.metrics = metrics;
        this.client = client;
        this.comeback = comeback;
        this.remedies = remedies;
    }

    /** The DataSource's name. */
    public String dataSource() {
        return dataSource;
    }

    /** The remedies applied after lost links. */
    public Remedies remedies() {
        return remedies;
    }

    /**
     * Diagnoses a failure of getting a connection that took {@code elapsedMillis}: attaches, logs and
     * counts the diagnosis. Returns it, or null if the failure is not a lost link.
     */
    public Diagnosis diagnoseConnect(SQLException failure, long elapsedMillis) {
        return diagnose(failure, () -> new Activity(Phase.CONNECT, elapsedMillis, -1, 0, false, client));
    }

    /**
     * Diagnoses a failure on an open connection: attaches, logs and counts the diagnosis. Returns it, or
     * null if the failure is not a lost link.
     */
    public Diagnosis diagnose(SQLException failure, Phase phase, long elapsedMillis, long linkAgeMillis,
            long payloadBytes, boolean streamedResult) {
        return diagnose(failure, () -> new Activity(phase, elapsedMillis, linkAgeMillis, payloadBytes, streamedResult,
                client));
    }

    /** Counts a lost link that was not retried (nothing if {@code diagnosis} is null). */
    public void notRetried(Diagnosis diagnosis) {
        if (diagnosis != null) {
            metrics.outcome(diagnosis.cause(), RetryOutcome.NOT_RETRIED);
            remember(diagnosis, RetryOutcome.NOT_RETRIED);
        }
    }

    /**
     * Counts a lost link whose retry the retry budget refused (the retries of the last seconds already add
     * their share to the statements sent): not retried.
     */
    public void refusedByBudget(Diagnosis first) {
        metrics.budgetRefused(first.cause());
        notRetried(first);
        if (log.isDebugEnabled()) {
            log.debug("[{}] a retry after a lost link ({}) was refused: the retry budget is spent", dataSource,
                    first.cause().id());
        }
    }

    /** A transaction lost with its link was replayed on a fresh link: it saw the same data, or other data (40001). */
    public void replayed(boolean sameData) {
        metrics.replay(sameData ? "replayed" : "rolled-back");
    }

    /** A transaction lost with its link that is not replayed: counted, and says why at DEBUG. */
    public void notReplayed(Diagnosis diagnosis, String why) {
        metrics.replay("not-replayed");
        if (log.isDebugEnabled()) {
            log.debug("[{}] the lost transaction was not replayed: {} ({})", dataSource, why,
                    diagnosis == null ? "no diagnosis" : diagnosis.cause().id());
        }
    }

    /** The most recent incidents, newest first. */
    public List<Incident> recentIncidents() {
        return incidents.newestFirst();
    }

    private void remember(Diagnosis diagnosis, RetryOutcome outcome) {
        incidents.add(new Incident(Instant.now(), dataSource, diagnosis.cause(), diagnosis.phase(), outcome.id(),
                diagnosis.summary(), diagnosis.recommendation()));
    }

    /** Reads the server now (or a reading a second old), for health checks; empty if the probe is off. */
    public Optional<ServerReading> readServer() {
        return probe == null ? Optional.empty() : Optional.of(toReading(probe.read()));
    }

    /** The last reading of the server, without reading it again. */
    public Optional<ServerReading> lastServerReading() {
        return probe == null ? Optional.empty() : Optional.ofNullable(probe.latest()).map(LostLinkHandler::toReading);
    }

    private static ServerReading toReading(ServerEvidence evidence) {
        Map<String, Long> values = new TreeMap<>(evidence.variables());
        values.putAll(evidence.status());
        return new ServerReading(Instant.ofEpochMilli(evidence.takenAtMillis()), evidence.available(),
                evidence.problem(), Collections.unmodifiableMap(values));
    }

    /** Counts a lost link whose {@code retries} retries all failed. */
    public void exhausted(Diagnosis first, int retries) {
        metrics.retries(first.cause(), retries);
        metrics.outcome(first.cause(), RetryOutcome.EXHAUSTED);
        remember(first, RetryOutcome.EXHAUSTED);
    }

    /**
     * A connection was handed out to an operation that asked for it at {@code coarseStartNanos} ({@code CoarseClock}):
     * if it asked before the server came back after an outage, it waited through it (in the pool).
     */
    public void acquired(long coarseStartNanos) {
        // the coarse clock may be a tick behind: only an operation that surely began before the comeback counts
        long sinceBack = comeback.firstSuccess(coarseStartNanos + TimeUnit.MILLISECONDS.toNanos(CoarseClock.TICK_MILLIS));
        if (sinceBack >= 0) {
            metrics.serverBack(sinceBack);
        }
    }

    /** Counts a lost link that a retry recovered from, after {@code retries} retries in {@code nanos}. */
    public void recovered(Diagnosis first, int retries, long nanos) {
        metrics.retries(first.cause(), retries);
        metrics.outcome(first.cause(), RetryOutcome.RECOVERED);
        metrics.recoveryTime(nanos);
        long sinceBack = comeback.firstSuccess(System.nanoTime() - nanos);
        if (sinceBack >= 0) {
            metrics.serverBack(sinceBack);
        }
        remember(first, RetryOutcome.RECOVERED);
        log.info("[{}] recovered from a lost link ({}) after {} retries in {} ms", dataSource, first.cause().id(),
                retries, nanos / 1_000_000);
    }

    private Diagnosis diagnose(SQLException failure, Supplier<Activity> activity) {
        Diagnosis attached = LostLinkDiagnosis.attachedTo(failure);
        if (attached != null) {
            return attached; // diagnosed already, by a LinkGuard closer to the driver
        }
        ExceptionEvidence evidence = ExceptionEvidence.of(failure);
        if (!evidence.isLinkFailure()) {
            return null;
        }
        ServerEvidence server = probe == null ? ServerEvidence.NOT_READ : probe.read();
        Activity doing = activity.get();
        Diagnosis diagnosis = Diagnostician.diagnose(dataSource, evidence, doing, server);
        diagnosis.attachTo(failure);
        log.warn("{}", diagnosis);
        metrics.failure(diagnosis.cause(), diagnosis.phase());
        remedies.after(diagnosis, doing);
        return diagnosis;
    }

    @Override
    public void close() {
        if (probe != null) {
            probe.close();
        }
    }
}
