package io.github.linkguard.spring.boot.actuate;

import io.github.linkguard.LinkGuardDataSource;
import io.github.linkguard.ServerTopology;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/**
 * The {@code linkguard} actuator endpoint: for each guarded DataSource, its recent incidents (time, cause,
 * phase, outcome, recommendation; at most 50), the findings of its last preflight, the remedies applied
 * lately, the server evidence last read and, with a multi-host URL, its servers ({@code host:port}) and the
 * writer. No SQL, parameters, user names or URLs.
 */
@Endpoint(id = "linkguard")
public class LinkGuardEndpoint {

    private final GuardedDataSources dataSources;

    LinkGuardEndpoint(GuardedDataSources dataSources) {
        this.dataSources = dataSources;
    }

    /** Everything LinkGuard knows, by DataSource name. */
    @ReadOperation
    public Map<String, Object> linkguard() {
        Map<String, Object> byName = new LinkedHashMap<>();
        for (LinkGuardDataSource dataSource : dataSources.all()) {
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("incidents", dataSource.recentIncidents().stream().map(GuardedDataSources::describe).toList());
            details.put("preflight", dataSource.lastPreflight().stream().map(GuardedDataSources::describe).toList());
            details.put("remedies", dataSource.recentRemedies().stream().map(GuardedDataSources::describe).toList());
            dataSource.lastServerReading()
                    .ifPresent(reading -> details.put("server", GuardedDataSources.describe(reading)));
            dataSource.topology().ifPresent(topology -> details.put("topology", describe(topology)));
            byName.put(dataSource.name(), details);
        }
        return Map.of("dataSources", byName);
    }

    private static Map<String, Object> describe(ServerTopology topology) {
        Map<String, Object> described = new LinkedHashMap<>();
        described.put("servers", topology.servers());
        described.put("writer", topology.writer() == null ? "none (a failover under way)" : topology.writer());
        return described;
    }
}
