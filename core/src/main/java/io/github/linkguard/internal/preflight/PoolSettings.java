package io.github.linkguard.internal.preflight;

import com.zaxxer.hikari.HikariDataSource;

/**
 * A HikariCP pool's settings that decide whether its links outlive the server's limits, read when LinkGuard
 * wraps it: before the pool starts, as the application configured them (when it validates its settings,
 * HikariCP turns a {@code keepaliveTime} at or above {@code maxLifetime} off without a trace).
 *
 * @param maxLifetimeMillis {@code maxLifetime}, 0 = none
 * @param keepaliveTimeMillis {@code keepaliveTime}, 0 = off
 * @param maximumPoolSize {@code maximumPoolSize}
 */
public record PoolSettings(long maxLifetimeMillis, long keepaliveTimeMillis, int maximumPoolSize) {

    /** The settings of {@code pool}. */
    public static PoolSettings of(HikariDataSource pool) {
        return new PoolSettings(pool.getMaxLifetime(), pool.getKeepaliveTime(), pool.getMaximumPoolSize());
    }
}
