package io.github.linkguard.spring.boot.actuate;

import io.github.linkguard.Incident;
import io.github.linkguard.LinkGuardDataSource;
import io.github.linkguard.ServerReading;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * The {@code linkguard} health contributor: UP while every guarded DataSource's server answers LinkGuard's
 * probe (a bounded, rate-limited read over a fresh connection), with the last incident of each, its cause and
 * recommendation, as details.
 */
public class LinkGuardHealthIndicator extends AbstractHealthIndicator {

    private final GuardedDataSources dataSources;

    LinkGuardHealthIndicator(GuardedDataSources dataSources) {
        super("LinkGuard health check failed");
        this.dataSources = dataSources;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        boolean allReachable = true;
        for (LinkGuardDataSource dataSource : dataSources.all()) {
            Map<String, Object> details = new LinkedHashMap<>();
            Optional<ServerReading> reading = dataSource.readServer();
            boolean reachable = reading.map(ServerReading::reachable).orElse(true);
            details.put("reachable", reading.isPresent() ? reachable : "not probed (probe-timeout is 0)");
            reading.map(ServerReading::problem).ifPresent(problem -> details.put("problem", problem));
            List<Incident> incidents = dataSource.recentIncidents();
            if (!incidents.isEmpty()) {
                details.put("lastIncident", GuardedDataSources.describe(incidents.get(0)));
            }
            builder.withDetail(dataSource.name(), details);
            allReachable &= reachable;
        }
        if (allReachable) {
            builder.up();
        } else {
            builder.down();
        }
    }
}
