package io.github.linkguard.spring.boot.actuate;

import io.github.linkguard.Finding;
import io.github.linkguard.Incident;
import io.github.linkguard.LinkGuardDataSource;
import io.github.linkguard.Remedy;
import io.github.linkguard.ServerReading;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;

/** The application's LinkGuard DataSources, and how actuator shows them: numbers and ids only, no secrets. */
final class GuardedDataSources {

    private final ObjectProvider<DataSource> dataSources;

    GuardedDataSources(ObjectProvider<DataSource> dataSources) {
        this.dataSources = dataSources;
    }

    List<LinkGuardDataSource> all() {
        return dataSources.orderedStream().filter(LinkGuardDataSource.class::isInstance)
                .map(LinkGuardDataSource.class::cast).toList();
    }

    static Map<String, Object> describe(Incident incident) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("time", incident.time().toString());
        details.put("datasource", incident.dataSource());
        details.put("cause", incident.cause().id());
        details.put("phase", incident.phase().id());
        details.put("outcome", incident.outcome());
        details.put("summary", incident.summary());
        details.put("recommendation", incident.recommendation());
        return details;
    }

    static Map<String, Object> describe(Finding finding) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("id", finding.id());
        details.put("severity", finding.severity().name());
        details.put("finding", finding.toString());
        return details;
    }

    static Map<String, Object> describe(Remedy remedy) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("time", remedy.time().toString());
        details.put("action", remedy.action());
        details.put("reason", remedy.reason());
        return details;
    }

    static Map<String, Object> describe(ServerReading reading) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("time", reading.time().toString());
        details.put("reachable", reading.reachable());
        if (reading.problem() != null) {
            details.put("problem", reading.problem());
        }
        details.put("values", reading.values());
        return details;
    }
}
