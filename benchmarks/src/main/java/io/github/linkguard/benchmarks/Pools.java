package io.github.linkguard.benchmarks;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.linkguard.LinkGuardDataSource;
import io.github.linkguard.benchmarks.load.CallLoop;
import io.micrometer.core.instrument.MeterRegistry;
import javax.sql.DataSource;

/**
 * The two sides of every comparison: a bare HikariCP pool, and LinkGuard (defaults: retries and probe on)
 * over an identical pool. Both pools hold {@code slots} connections, all opened up front.
 */
public final class Pools {

    /** The two DataSources compared, by the name the tables use. */
    public enum Side {
        BARE("bare HikariCP"),
        LINKGUARD("LinkGuard");

        private final String label;

        Side(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /**
     * Whether LinkGuard resolves lost COMMITs (its default, with a marker per transaction that wrote); the system
     * property {@code benchmarks.commitOutcome=false} measures it off, for an A/B of its cost.
     */
    private static final boolean COMMIT_OUTCOME =
            Boolean.parseBoolean(System.getProperty("benchmarks.commitOutcome", "true"));

    private Pools() {
    }

    /** A HikariCP pool of {@code slots} connections from {@code driver}, started and filled. */
    public static HikariDataSource hikari(String name, DataSource driver, int slots, MeterRegistry registry) {
        HikariDataSource pool = new HikariDataSource(config(name, driver, slots, registry));
        awaitFilled(pool, slots);
        return pool;
    }

    /**
     * The same pool, not started yet (as Spring Boot makes it, so that LinkGuard can sit under it too): start
     * it with {@link #fill}.
     */
    public static HikariDataSource unstartedHikari(String name, DataSource driver, int slots) {
        HikariDataSource pool = new HikariDataSource();
        config(name, driver, slots, null).copyStateTo(pool);
        return pool;
    }

    /** Starts {@code pool} through {@code front} and waits until it holds {@code slots} idle connections. */
    public static void fill(DataSource front, HikariDataSource pool, int slots) {
        try {
            front.getConnection().close();
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("pool " + pool.getPoolName() + " did not start", e);
        }
        awaitFilled(pool, slots);
    }

    private static HikariConfig config(String name, DataSource driver, int slots, MeterRegistry registry) {
        HikariConfig config = new HikariConfig();
        config.setPoolName(name);
        config.setDataSource(driver);
        config.setMaximumPoolSize(slots);
        config.setMinimumIdle(slots);
        config.setRegisterMbeans(false);
        if (registry != null) {
            config.setMetricRegistry(registry);
        }
        return config;
    }

    /** {@code pool} itself for the bare side, LinkGuard over it (named {@code name}) for the other. */
    public static DataSource front(Side side, HikariDataSource pool, String name, MeterRegistry registry) {
        return front(side, pool, name, registry, true);
    }

    /** The same, with LinkGuard's transaction replay on or off. */
    public static DataSource front(Side side, HikariDataSource pool, String name, MeterRegistry registry,
            boolean transactionReplay) {
        if (side == Side.BARE) {
            return pool;
        }
        return LinkGuardDataSource.builder(pool).name(name).meterRegistry(registry)
                .transactionReplay(transactionReplay).commitOutcome(COMMIT_OUTCOME).build();
    }

    private static void awaitFilled(HikariDataSource pool, int slots) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (pool.getHikariPoolMXBean().getIdleConnections() < slots) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("pool " + pool.getPoolName() + " did not fill " + slots + " slots");
            }
            CallLoop.pause(5);
        }
    }
}
