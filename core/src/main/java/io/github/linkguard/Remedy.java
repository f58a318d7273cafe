package io.github.linkguard;

import java.time.Instant;

/**
 * One remedy LinkGuard applied after a lost link, as the MySQL manual advises it (see the README,
 * "Remediation"): no SQL, parameters, user names or URLs.
 *
 * @param time when it was applied
 * @param dataSource the LinkGuard DataSource's name
 * @param action {@code evict-idle-connections}, {@code refresh-pool}, {@code raise-net-write-timeout} or
 *        {@code raise-net-read-timeout}: the
 *        {@code action} tag of {@code linkguard.remedies}
 * @param reason why, with the values involved
 */
public record Remedy(Instant time, String dataSource, String action, String reason) {
}
