package io.github.linkguard.internal.remedy;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import io.github.linkguard.Cause;
import io.github.linkguard.Diagnosis;
import io.github.linkguard.Remedy;
import io.github.linkguard.internal.Recent;
import io.github.linkguard.internal.diagnosis.Activity;
import io.github.linkguard.internal.metrics.LinkGuardMetrics;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MySQL manual's remedies, applied by a DataSource after the lost links that call for them (on by
 * default, {@code remediation(false)} turns them off): after an {@code idle-timeout} the pool's idle
 * connections are evicted, so that no other dead one is handed out; after a {@code server-restart} the
 * whole pool is refreshed; after a {@code transfer-timeout} of a streamed result, later streamed reads raise
 * the session's {@code net_write_timeout} for their connection (doubling at each new timeout, up to
 * {@value #MAX_TIMEOUT_SECONDS} s), and the connection goes back to the pool with its own value; after one
 * of a large statement, later large values raise {@code net_read_timeout} likewise.
 */
public final class Remedies {

    /** The {@code action} of evicting the idle connections after an idle timeout. */
    public static final String EVICT_IDLE_CONNECTIONS = "evict-idle-connections";
    /** The {@code action} of refreshing the pool after a server restart. */
    public static final String REFRESH_POOL = "refresh-pool";
    /** The {@code action} of raising a streamed read's {@code net_write_timeout}. */
    public static final String RAISE_NET_WRITE_TIMEOUT = "raise-net-write-timeout";
    /** The {@code action} of raising a large statement's {@code net_read_timeout}. */
    public static final String RAISE_NET_READ_TIMEOUT = "raise-net-read-timeout";
    /** Every remedy's {@code action}. */
    public static final Set<String> ACTIONS = Set.of(EVICT_IDLE_CONNECTIONS, REFRESH_POOL, RAISE_NET_WRITE_TIMEOUT,
            RAISE_NET_READ_TIMEOUT);
    /** The size of a bound value from which a statement is a large send, for {@code net_read_timeout}. */
    public static final long LARGE_VALUE_BYTES = 1024 * 1024;

    /** The highest timeout a remedy sets, in seconds (Connector/J's own streaming default). */
    static final int MAX_TIMEOUT_SECONDS = 600;
    /** The first raised timeout, in seconds. */
    static final int FIRST_TIMEOUT_SECONDS = 60;

    private static final int MAX_REMEMBERED = 50;
    private static final long EVICT_AT_MOST_EVERY_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final Logger log = LoggerFactory.getLogger("io.github.linkguard.LinkGuard");

    /** A session timeout a remedy raises for later transfers like the one that outlived it. */
    public enum SessionTimeout {
        /** The server's wait for a streamed result's reader. */
        NET_WRITE("net_write_timeout", RAISE_NET_WRITE_TIMEOUT, "a streamed read"),
        /** The server's wait for the rest of a large statement. */
        NET_READ("net_read_timeout", RAISE_NET_READ_TIMEOUT, "a large statement");

        private final String variable;
        private final String action;
        private final String what;

        SessionTimeout(String variable, String action, String what) {
            this.variable = variable;
            this.action = action;
            this.what = what;
        }

        /** The server variable. */
        public String variable() {
            return variable;
        }
    }

    private final String dataSource;
    private final boolean enabled;
    private final Set<String> skipped;
    private final HikariDataSource pool;
    private final LinkGuardMetrics metrics;
    private final Recent<Remedy> recent = new Recent<>(MAX_REMEMBERED);
    /** The seconds later transfers get, by {@link SessionTimeout}; 0 while no remedy asks for more. */
    private final AtomicIntegerArray timeouts = new AtomicIntegerArray(SessionTimeout.values().length);
    private long lastEvictionNanos = System.nanoTime() - EVICT_AT_MOST_EVERY_NANOS;

    /**
     * @param dataSource the DataSource's name
     * @param enabled whether remedies are applied at all
     * @param skipped the actions not to apply
     * @param pool the HikariCP pool to evict from, or null
     * @param metrics where each remedy is counted
     */
    public Remedies(String dataSource, boolean enabled, Set<String> skipped, HikariDataSource pool,
            LinkGuardMetrics metrics) {
        this.dataSource = dataSource;
        this.enabled = enabled;
        this.skipped = Set.copyOf(skipped);
        this.pool = pool;
        this.metrics = metrics;
    }

    /** Applies what {@code diagnosis} calls for, if anything. */
    public void after(Diagnosis diagnosis, Activity activity) {
        if (!enabled) {
            return;
        }
        if (diagnosis.cause() == Cause.IDLE_TIMEOUT && applies(EVICT_IDLE_CONNECTIONS)) {
            evict(EVICT_IDLE_CONNECTIONS, "an idle connection had outlived the server's wait_timeout: its idle "
                    + "siblings are as old");
        } else if (diagnosis.cause() == Cause.SERVER_RESTART && applies(REFRESH_POOL)) {
            evict(REFRESH_POOL, "the server restarted: every pooled connection is dead");
        } else if (diagnosis.cause() == Cause.TRANSFER_TIMEOUT && activity.streamedResult()) {
            lengthen(SessionTimeout.NET_WRITE);
        } else if (diagnosis.cause() == Cause.TRANSFER_TIMEOUT && activity.payloadBytes() >= LARGE_VALUE_BYTES) {
            lengthen(SessionTimeout.NET_READ);
        }
    }

    /** The seconds of {@code timeout} later transfers get; 0 while no remedy asks for one. */
    public int seconds(SessionTimeout timeout) {
        return timeouts.get(timeout.ordinal());
    }

    /** A connection's session got {@code seconds} of {@code timeout}. */
    public void raised(SessionTimeout timeout, int seconds) {
        applied(timeout.action, timeout.what + " got " + timeout.variable + "=" + seconds + " s after a "
                + "transfer-timeout (restored when its connection goes back to the pool)");
    }

    /** The remedies applied lately (at most 50), newest first. */
    public List<Remedy> recent() {
        return recent.newestFirst();
    }

    private boolean applies(String action) {
        return !skipped.contains(action);
    }

    /** 60 s the first time, then doubling at each new timeout, up to 600 s. */
    private void lengthen(SessionTimeout timeout) {
        if (applies(timeout.action)) {
            timeouts.updateAndGet(timeout.ordinal(),
                    seconds -> seconds == 0 ? FIRST_TIMEOUT_SECONDS : Math.min(MAX_TIMEOUT_SECONDS, seconds * 2));
        }
    }

    private void evict(String action, String reason) {
        HikariPoolMXBean running = pool == null ? null : pool.getHikariPoolMXBean();
        if (running == null) {
            return;
        }
        synchronized (this) {
            long now = System.nanoTime();
            if (now - lastEvictionNanos < EVICT_AT_MOST_EVERY_NANOS) {
                return; // the failures of one event: evicted once
            }
            lastEvictionNanos = now;
        }
        running.softEvictConnections();
        applied(action, reason + "; the pool's idle connections were evicted (those in use, when returned)");
    }

    private void applied(String action, String reason) {
        metrics.remedy(action);
        recent.add(new Remedy(Instant.now(), dataSource, action, reason));
        log.info("[{}] remedy {}: {}", dataSource, action, reason);
    }
}
