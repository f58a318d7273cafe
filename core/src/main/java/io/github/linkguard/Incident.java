package io.github.linkguard;

import java.time.Instant;

/**
 * One operation that met a lost link, as LinkGuard remembers it for dashboards and actuator endpoints: no
 * SQL, parameters, user names or URLs.
 *
 * @param time when the operation ended
 * @param dataSource the LinkGuard DataSource's name
 * @param cause why the link was first lost
 * @param phase what the application was doing then
 * @param outcome {@code recovered}, {@code exhausted} or {@code not-retried}
 * @param summary what happened
 * @param recommendation what to change
 */
public record Incident(Instant time, String dataSource, Cause cause, Phase phase, String outcome, String summary,
        String recommendation) {
}
