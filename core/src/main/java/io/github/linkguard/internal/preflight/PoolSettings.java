package io.github.linkguard.internal.preflight;

import com.zaxxer.hikari.HikariDataSource;

/**
 * A HikariCP pool's settings that decide whether its links outlive the server's limits, read when LinkGuard
 * wraps it: before the pool starts, as the application configured them (when it validates its settings,
 * HikariCP turns a {@code keepaliveTime} at or above {@code maxLifetime} off without a trace).
 *
 * ({@code idleTimeout} needs no rule of its own: a connection idle in the pool dies at the server's
 * {@code wait_timeout} whatever it is, unless {@code maxLifetime} or keepalive comes first; HikariCP itself puts
 * a {@code validationTimeout} at or above {@code connectionTimeout} back to its default.)
 *
 * @param maxLifetimeMillis {@code maxLifetime}, 0 = none
 * @param keepaliveTimeMillis {@code keepaliveTime}, 0 = off
 * @param maximumPoolSize {@code maximumPoolSize}
 * @param connectionTimeoutMillis {@code connectionTimeout}: how long a borrower waits
 */
public record PoolSettings(long maxLifetimeMillis, long keepaliveTimeMillis, int maximumPoolSize,
        long connectionTimeoutMillis) {

    /** The settings of {@code pool}. */
    public static PoolSettings of(HikariDataSource pool) {
        return new PoolSettings(pool.getMaxLifetime(), pool.getKeepaliveTime(), pool.getMaximumPoolSize(),
                pool.getConnectionTimeout());
    }
}
