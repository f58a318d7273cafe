package io.github.linkguard.internal.preflight;

import io.github.linkguard.Finding;
import io.github.linkguard.internal.metrics.LinkGuardMetrics;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The findings of a DataSource's last preflight: each logged once at WARN (the first time it is found, not at
 * every check), kept for endpoints, and reported as {@code linkguard.preflight} gauges.
 */
public final class PreflightReport {

    private static final Logger log = LoggerFactory.getLogger("io.github.linkguard.LinkGuard");

    private final String dataSource;
    private final LinkGuardMetrics metrics;
    private final Set<String> logged = ConcurrentHashMap.newKeySet();
    private volatile List<Finding> last = List.of();

    /** The report of the DataSource named {@code dataSource}. */
    public PreflightReport(String dataSource, LinkGuardMetrics metrics) {
        this.dataSource = dataSource;
        this.metrics = metrics;
    }

    /** Keeps, logs and counts the findings of a preflight just run; returns them. */
    public List<Finding> record(List<Finding> findings) {
        List<Finding> previous = last;
        last = List.copyOf(findings);
        for (Finding gone : previous) {
            if (findings.stream().noneMatch(finding -> finding.id().equals(gone.id()))) {
                metrics.preflight(gone.id(), false);
            }
        }
        for (Finding finding : findings) {
            metrics.preflight(finding.id(), true);
            if (logged.add(finding.toString())) {
                log.warn("[{}] preflight {} ({}): {}", dataSource, finding.id(), finding.severity(), finding);
            }
        }
        return last;
    }

    /** The findings of the last preflight; empty before the first. */
    public List<Finding> last() {
        return last;
    }
}
