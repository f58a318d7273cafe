package io.github.linkguard.spring.boot;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * LinkGuard's settings under the {@code linkguard} prefix. Invalid values stop the application at start-up
 * with the property's name and the reason.
 */
@ConfigurationProperties("linkguard")
public class LinkGuardProperties {

    /** Whether LinkGuard wraps the application's DataSource beans. */
    private boolean enabled = true;

    /** Names of DataSource beans to leave unwrapped. */
    private List<String> exclude = new ArrayList<>();

    /**
     * The longest getConnection() may take when the pool does not bound it (HikariCP's connectionTimeout
     * does); 0 trusts the pool.
     */
    private Duration connectTimeout = Duration.ofSeconds(30);

    /** How long a failing call waits for the server's evidence; 0 diagnoses from the client side only. */
    private Duration probeTimeout = Duration.ofSeconds(2);

    private final Retry retry = new Retry();

    private final Session session = new Session();

    private final Replay replay = new Replay();

    private final CommitOutcome commitOutcome = new CommitOutcome();

    private final Failover failover = new Failover();

    private final Rerun rerun = new Rerun();

    private final Web web = new Web();

    private final Preflight preflight = new Preflight();

    private final Remediation remediation = new Remediation();

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public List<String> getExclude() {
        return exclude;
    }

    public void setExclude(List<String> exclude) {
        this.exclude = exclude;
    }

    public Duration getConnectTimeout() {
        return connectTimeout;
    }

    public void setConnectTimeout(Duration connectTimeout) {
        this.connectTimeout = nonNegative(connectTimeout, "must not be negative");
    }

    public Duration getProbeTimeout() {
        return probeTimeout;
    }

    public void setProbeTimeout(Duration probeTimeout) {
        this.probeTimeout = nonNegative(probeTimeout, "must not be negative");
    }

    public Retry getRetry() {
        return retry;
    }

    public Session getSession() {
        return session;
    }

    public Web getWeb() {
        return web;
    }

    public Replay getReplay() {
        return replay;
    }

    public CommitOutcome getCommitOutcome() {
        return commitOutcome;
    }

    public Failover getFailover() {
        return failover;
    }

    public Rerun getRerun() {
        return rerun;
    }

    public Preflight getPreflight() {
        return preflight;
    }

    public Remediation getRemediation() {
        return remediation;
    }

    private static Duration nonNegative(Duration value, String message) {
        if (value == null || value.isNegative()) {
            throw new IllegalArgumentException(message + ", was " + value);
        }
        return value;
    }

    private static Duration positive(Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException("must be positive, was " + value);
        }
        return value;
    }

    /** How transactions whose link was lost are run again on a fresh one (see the README, "Transactions"). */
    public static class Replay {

        /**
         * Whether a transaction whose link is lost after its first statement runs again on a fresh link when
         * the replay can prove it observes what the application observed (the update counts, and a digest of
         * every value it read from results and generated keys); a replay that sees other data rolls back and
         * fails with SQLState 40001.
         */
        private boolean enabled = true;

        /**
         * The most statements other than queries (writes, savepoints, ...) of an open transaction kept for its
         * replay; one with more is not replayed. Queries are bounded by max-size alone.
         */
        private int maxStatements = 256;

        /**
         * The most an open transaction keeps for its replay: SQL text, bound values, 8 bytes per value read and
         * 320 per statement; a larger one is not replayed.
         */
        private DataSize maxSize = DataSize.ofMegabytes(1);

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public int getMaxStatements() {
            return maxStatements;
        }

        public void setMaxStatements(int maxStatements) {
            if (maxStatements < 1) {
                throw new IllegalArgumentException("must be at least 1, was " + maxStatements);
            }
            this.maxStatements = maxStatements;
        }

        public DataSize getMaxSize() {
            return maxSize;
        }

        public void setMaxSize(DataSize maxSize) {
            if (maxSize == null || maxSize.toBytes() < 1) {
                throw new IllegalArgumentException("must be at least 1 byte, was " + maxSize);
            }
            this.maxSize = maxSize;
        }
    }

    /** How a COMMIT lost with its link is resolved (see the README, "A lost COMMIT"). */
    /** Where the writer may be when a failover moves it. */
    public static class Failover {

        /**
         * The servers a failover moves the writer between, by DataSource bean name (for a single DataSource:
         * linkguard.failover.servers.dataSource=db1:3306,db2:3306), for a URL that names one address (a DNS
         * name, a proxy) or not all of them: every connection goes to the writer among them, as for the hosts
         * of a Connector/J multi-host URL (the default: those). The URL's database and properties are kept.
         */
        private Map<String, List<String>> servers = new LinkedHashMap<>();

        public Map<String, List<String>> getServers() {
            return servers;
        }

        public void setServers(Map<String, List<String>> servers) {
            this.servers = servers;
        }
    }

    public static class CommitOutcome {

        /**
         * Whether a COMMIT lost with its link is resolved: every transaction that wrote writes a marker row with
         * its COMMIT (in the same round trip where LinkGuard's procedure may be made and run), so that after a
         * lost COMMIT LinkGuard learns on a fresh link whether it took effect (after making sure the old session
         * can no longer commit) and either returns normally or replays the transaction and commits it. Off, a
         * lost COMMIT fails with SQLState 08007.
         */
        private boolean enabled = true;

        /**
         * Whether writes in auto-commit mode (INSERT, UPDATE, DELETE, REPLACE) are resolved like a COMMIT: each
         * runs as a transaction of its own with the marker, so that one whose link is lost is run again or
         * returns instead of failing with 08007. Three round trips more per such write (a third of their
         * throughput, measured); off by default.
         */
        private boolean autoCommitWrites = false;

        /**
         * The markers' table, "table" (in the schema of the DataSource's URL) or "schema.table"; created when
         * missing if the user may (else a lost COMMIT fails with 08007, said once at start-up), with its
         * procedure "table_commit".
         */
        private String table = "linkguard_commits";

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public boolean isAutoCommitWrites() {
            return autoCommitWrites;
        }

        public void setAutoCommitWrites(boolean autoCommitWrites) {
            this.autoCommitWrites = autoCommitWrites;
        }

        public String getTable() {
            return table;
        }

        public void setTable(String table) {
            this.table = table;
        }
    }

    /**
     * Read-only units of work run again after a lost link that the replay could not hide (see the README,
     * "Read-only units of work run again").
     */
    public static class Rerun {

        /**
         * Whether a read-only unit of work (a @Transactional(readOnly = true) method, a Spring Data repository's
         * read method, a read-only TransactionTemplate bean) runs again from its start when its transaction's
         * link was lost and the replay could not hide it (40001 under REPEATABLE READ, a transaction over the
         * bounds). Only the outermost transactional call, never for the application's own errors, deadlocks or
         * lock waits; @RunOnce leaves one out. Counted in linkguard.reruns.
         */
        private boolean enabled = true;

        /** How many times one call runs again at most. */
        private int maxReruns = 2;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public int getMaxReruns() {
            return maxReruns;
        }

        public void setMaxReruns(int maxReruns) {
            if (maxReruns < 1 || maxReruns > 10) {
                throw new IllegalArgumentException("must be between 1 and 10, was " + maxReruns);
            }
            this.maxReruns = maxReruns;
        }
    }

    /** The MySQL manual's remedies, applied after the lost links that call for them (see the README, "Remediation"). */
    public static class Remediation {

        /**
         * Whether LinkGuard evicts the pool's idle connections after an idle-timeout, refreshes the pool after a
         * server-restart, and raises the session's net_write_timeout of later streamed reads after a
         * transfer-timeout (60 s, doubling up to 600 s; restored when the connection goes back to the pool), and
         * net_read_timeout for later large values after one while sending a large statement.
         * Each remedy is counted in linkguard.remedies and listed in /actuator/linkguard.
         */
        private boolean enabled = true;

        /**
         * Remedies not to apply, by action: evict-idle-connections, refresh-pool, raise-net-write-timeout,
         * raise-net-read-timeout.
         */
        private List<String> skip = new ArrayList<>();

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public List<String> getSkip() {
            return skip;
        }

        public void setSkip(List<String> skip) {
            this.skip = skip;
        }
    }

    /** The check of the classic misconfigurations at start-up (see the README, "Preflight"). */
    public static class Preflight {

        /**
         * Whether every guarded DataSource's pool, driver and server settings are checked once the context has
         * started, on a thread of its own; each finding is logged once at WARN, shown in /actuator/linkguard and
         * reported as the gauge linkguard.preflight.
         */
        private boolean enabled = true;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }
    }

    /** What a Spring MVC application answers when a request fails on a lost database link. */
    public static class Web {

        /**
         * Whether a request that failed on a lost database link is answered with 503 Service Unavailable.
         * Without it, Spring MVC takes the driver's EOFException or "connection reset" in the cause chain for
         * a client that went away and answers an empty 200, logging nothing.
         */
        private boolean lostLinkResponse = true;

        public boolean isLostLinkResponse() {
            return lostLinkResponse;
        }

        public void setLostLinkResponse(boolean lostLinkResponse) {
            this.lostLinkResponse = lostLinkResponse;
        }
    }

    /** How a Connection's session is made again on a fresh link after a lost one (see docs/session.md). */
    public static class Session {

        /**
         * Whether LinkGuard asks the server to report every change of a session's state and of its
         * transaction's (Connector/J trackSessionState, server session_track_state_change and
         * session_track_transaction_info), so that state a stored procedure or function made is not lost
         * silently after a lost link, and a transaction is what the server says it is. Turn it off for servers
         * or proxies without session tracking; then a CALL makes a session unrestorable and a transaction that
         * wrote is not replayed.
         */
        private boolean tracking = true;

        public boolean isTracking() {
            return tracking;
        }

        public void setTracking(boolean tracking) {
            this.tracking = tracking;
        }
    }

    /** How LinkGuard retries operations that lost their link (only what is safe; see the README). */
    public static class Retry {

        /**
         * Attempts per operation, the first included; 1 never retries. A lost COMMIT's outcome is asked about until
         * the budget runs out.
         */
        private int maxAttempts = 3;

        /** The wait before the first retry; later waits grow by the multiplier, with jitter. */
        private Duration initialInterval = Duration.ofMillis(100);

        /** How much each wait grows over the previous one (at least 1). */
        private double multiplier = 2.0;

        /** The longest wait between two attempts. */
        private Duration maxInterval = Duration.ofSeconds(2);

        /** The longest an operation may take, retries and waits included. */
        private Duration budget = Duration.ofSeconds(30);

        /**
         * The most retries may add to the statements sent, over a sliding window of 10 s (0.1: one retried
         * statement per ten sent); above it a lost link is not retried and linkguard.retry.budget.refused
         * counts it.
         */
        private double budgetRatio = 0.1;

        /** Retries per second allowed whatever was sent, so that a quiet application still recovers. */
        private int budgetMinimum = 10;

        /**
         * How often a HikariCP pool under LinkGuard tries to reconnect while the server is away and operations
         * wait (jittered by a quarter); in between it watches 20 times for the server (or a new writer) and
         * connects as soon as it is back.
         */
        private Duration reconnectInterval = Duration.ofMillis(400);

        public int getMaxAttempts() {
            return maxAttempts;
        }

        public void setMaxAttempts(int maxAttempts) {
            if (maxAttempts < 1) {
                throw new IllegalArgumentException("must be at least 1, was " + maxAttempts);
            }
            this.maxAttempts = maxAttempts;
        }

        public Duration getInitialInterval() {
            return initialInterval;
        }

        public void setInitialInterval(Duration initialInterval) {
            this.initialInterval = positive(initialInterval);
        }

        public double getMultiplier() {
            return multiplier;
        }

        public void setMultiplier(double multiplier) {
            if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
                throw new IllegalArgumentException("must be at least 1, was " + multiplier);
            }
            this.multiplier = multiplier;
        }

        public Duration getMaxInterval() {
            return maxInterval;
        }

        public void setMaxInterval(Duration maxInterval) {
            this.maxInterval = positive(maxInterval);
        }

        public Duration getBudget() {
            return budget;
        }

        public void setBudget(Duration budget) {
            this.budget = positive(budget);
        }

        public double getBudgetRatio() {
            return budgetRatio;
        }

        public void setBudgetRatio(double budgetRatio) {
            if (!(budgetRatio >= 0) || Double.isInfinite(budgetRatio)) {
                throw new IllegalArgumentException("must be 0 or more, was " + budgetRatio);
            }
            this.budgetRatio = budgetRatio;
        }

        public int getBudgetMinimum() {
            return budgetMinimum;
        }

        public void setBudgetMinimum(int budgetMinimum) {
            if (budgetMinimum < 0) {
                throw new IllegalArgumentException("must be 0 or more, was " + budgetMinimum);
            }
            this.budgetMinimum = budgetMinimum;
        }

        public Duration getReconnectInterval() {
            return reconnectInterval;
        }

        public void setReconnectInterval(Duration reconnectInterval) {
            this.reconnectInterval = positive(reconnectInterval);
        }
    }
}
