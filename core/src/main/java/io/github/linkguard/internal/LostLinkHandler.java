package io.github.linkguard.internal;

import io.github.linkguard.Diagnosis;
import io.github.linkguard.LostLinkDiagnosis;
import io.github.linkguard.Phase;
import io.github.linkguard.internal.diagnosis.Activity;
import io.github.linkguard.internal.diagnosis.ClientSettings;
import io.github.linkguard.internal.diagnosis.Diagnostician;
import io.github.linkguard.internal.diagnosis.ExceptionEvidence;
import io.github.linkguard.internal.diagnosis.ServerEvidence;
import io.github.linkguard.internal.diagnosis.ServerProbe;
import io.github.linkguard.internal.metrics.LinkGuardMetrics;
import io.github.linkguard.internal.metrics.RetryOutcome;
import java.sql.SQLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every SQLException a LinkGuard DataSource passes on goes through here: ordinary SQL errors leave
 * untouched; a lost link is diagnosed (reading the server's evidence if needed), the diagnosis attached to
 * the exception, logged once as a WARN line, and counted.
 */
public final class LostLinkHandler implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger("io.github.linkguard.LinkGuard");

    private final String dataSource;
    private final ServerProbe probe;
    private final LinkGuardMetrics metrics;
    private final ClientSettings client;

    /**
     * @param dataSource the DataSource's name (metrics tag and log prefix)
     * @param probe reads the server's evidence, or null to diagnose from the client side only
     * @param metrics where failures are counted
     * @param client the driver settings of the DataSource
     */
    public LostLinkHandler(String dataSource, ServerProbe probe, LinkGuardMetrics metrics, ClientSettings client) {
        this.dataSource = dataSource;
        this.probe = probe;
        this.metrics = metrics;
        this.client = client;
    }

    /** The DataSource's name. */
    public String dataSource() {
        return dataSource;
    }

    /** Handles a failure of getting a connection that took {@code elapsedMillis}. */
    public SQLException connectFailed(SQLException failure, long elapsedMillis) {
        ExceptionEvidence evidence = lostLink(failure);
        if (evidence != null) {
            report(failure, evidence, new Activity(Phase.CONNECT, elapsedMillis, -1, 0, false, client));
        }
        return failure;
    }

    /** Handles a failure on an open connection. */
    public SQLException failed(SQLException failure, Phase phase, long elapsedMillis, long linkAgeMillis,
            long payloadBytes, boolean streamedResult) {
        ExceptionEvidence evidence = lostLink(failure);
        if (evidence != null) {
            report(failure, evidence, new Activity(phase, elapsedMillis, linkAgeMillis, payloadBytes, streamedResult,
                    client));
        }
        return failure;
    }

    /** The evidence of {@code failure} if it is a lost link not diagnosed yet, else null. */
    private static ExceptionEvidence lostLink(SQLException failure) {
        for (Throwable each : ExceptionEvidence.walk(failure)) {
            if (each instanceof LostLinkDiagnosis) {
                return null; // diagnosed already, by a LinkGuard closer to the driver
            }
        }
        ExceptionEvidence evidence = ExceptionEvidence.of(failure);
        return evidence.isLinkFailure() ? evidence : null;
    }

    private void report(SQLException failure, ExceptionEvidence evidence, Activity activity) {
        ServerEvidence server = probe == null ? ServerEvidence.NOT_READ : probe.read();
        Diagnosis diagnosis = Diagnostician.diagnose(dataSource, evidence, activity, server);
        diagnosis.attachTo(failure);
        log.warn("{}", diagnosis);
        metrics.failure(diagnosis.cause(), diagnosis.phase());
        metrics.outcome(diagnosis.cause(), RetryOutcome.NOT_RETRIED);
    }

    @Override
    public void close() {
        if (probe != null) {
            probe.close();
        }
    }
}
