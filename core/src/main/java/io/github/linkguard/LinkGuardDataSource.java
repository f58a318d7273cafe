package io.github.linkguard;

import com.mysql.cj.jdbc.JdbcConnection;
import com.mysql.cj.jdbc.MysqlDataSource;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.linkguard.internal.CoarseClock;
import io.github.linkguard.internal.ConnectBound;
import io.github.linkguard.internal.LinkSource;
import io.github.linkguard.internal.LostLinkHandler;
import io.github.linkguard.internal.commit.CommitOutcomes;
import io.github.linkguard.internal.diagnosis.ClientSettings;
import io.github.linkguard.internal.diagnosis.ServerProbe;
import io.github.linkguard.internal.jdbc.GuardedConnection;
import io.github.linkguard.internal.jdbc.Unwrapping;
import io.github.linkguard.internal.metrics.LinkGuardMetrics;
import io.github.linkguard.internal.metrics.MicrometerMetrics;
import io.github.linkguard.internal.pool.Comeback;
import io.github.linkguard.internal.preflight.PoolSettings;
import io.github.linkguard.internal.preflight.Preflight;
import io.github.linkguard.internal.preflight.PreflightReport;
import io.github.linkguard.internal.remedy.Remedies;
import io.github.linkguard.internal.pool.RefillGate;
import io.github.linkguard.internal.topology.Topology;
import io.github.linkguard.internal.replay.TransactionLog;
import io.github.linkguard.internal.retry.Retrier;
import io.github.linkguard.internal.retry.RetryBudget;
import io.github.linkguard.internal.retry.RetryPolicy;
import io.github.linkguard.internal.session.ServerReports;
import io.github.linkguard.internal.session.SessionCarry;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.slf4j.LoggerFactory;

/**
 * A drop-in {@link DataSource} in front of a pool (HikariCP) or a driver DataSource: every JDBC object it
 * hands out is a thin delegating wrapper that notices lost links, attaches a {@link Diagnosis} (why, and
 * what to change) to the exception, logs it once and counts it in Micrometer. On the happy path it adds
 * no round trip and takes no lock.
 *
 * <pre>{@code
 * HikariDataSource pool = new HikariDataSource(config);
 * LinkGuardDataSource dataSource = LinkGuardDataSource.builder(pool)
 *         .name("orders")
 *         .meterRegistry(registry)
 *         .build();
 * }</pre>
 *
 * <p>{@link #unwrap} reaches the delegate ({@code unwrap(HikariDataSource.class)} works), and
 * {@link #close()} closes it.
 */
public final class LinkGuardDataSource implements DataSource, AutoCloseable {

    private final DataSource delegate;
    private final LostLinkHandler handler;
    private final ConnectBound connectBound;
    private final Retrier retrier;
    private final RetryBudget retryBudget;
    private final HikariDataSource pool;
    private final RetryRule retryRule;
    private final Links links;
    private final CoarseClock.Lease clock;
    private final boolean closesDelegate;
    private final ServerReports.Tracked serverReports;
    private final SessionCarry sessions = new SessionCarry();
    private final boolean transactionReplay;
    private final CommitOutcomes commitOutcomes;
    private final int replayMaxStatements;
    private final long replayMaxBytes;
    private final RefillGate refillGate;
    /** The servers of the pool's multi-host URL, when LinkGuard sits under the pool; else null. */
    private final Topology topology;
    /** The pool's URL names several servers, but LinkGuard could not sit under it to find the writer. */
    private final boolean failoverUnguarded;
    private final PoolSettings poolSettings;
    private final ClientSettings clientSettings;
    private final ServerProbe.ConnectionSource preflightConnections;
    private final PreflightReport preflightReport;
    private final AtomicBoolean closed = new AtomicBoolean();

    /** The longest a preflight waits for the server. */
    private static final Duration PREFLIGHT_TIMEOUT = Duration.ofSeconds(5);

    private LinkGuardDataSource(Builder builder) {
        this.delegate = builder.delegate;
        this.pool = builder.pool;
        // what the pool connects with is read before LinkGuard sits under it; the probe goes past it to the driver
        ServerProbe.ConnectionSource probeConnections = probeConnections(delegate, pool, builder.probeTimeout);
        ServerProbe.ConnectionSource ownConnections = probeConnections(delegate, pool, PREFLIGHT_TIMEOUT);
        this.poolSettings = pool == null ? null : PoolSettings.of(pool);
        this.clientSettings = clientSettings(delegate, pool);
        this.serverReports = builder.sessionTracking ? requestSessionReports(delegate, pool) : ServerReports.Tracked.NONE;
        Comeback comeback = new Comeback();
        LinkGuardMetrics metrics = builder.meterRegistry == null ? LinkGuardMetrics.NOOP
                : new MicrometerMetrics(builder.meterRegistry, builder.name);
        Topology topology = pool == null ? null : Topology.of(builder.name, pool, builder.servers, metrics);
        this.refillGate = pool == null ? null : installRefillGate(pool, builder.reconnectInterval, comeback, topology);
        this.failoverUnguarded = topology != null && refillGate == null;
        this.topology = refillGate == null ? null : topology;
        // where the writer is followed, LinkGuard's own connections (the preflight, its table's DDL, the probe) go to it
        Topology followed = this.topology;
        this.preflightConnections = followed == null ? ownConnections : () -> followed.connect(DataSource::getConnection);
        ServerProbe probe = builder.probeTimeout.isZero() ? null : new ServerProbe(builder.name, gatedProbe(refillGate,
                followed == null ? probeConnections : followed.probeSource(builder.probeTimeout, probeConnections)),
                builder.probeTimeout, Builder.PROBE_FRESH_FOR);
        this.handler = new LostLinkHandler(builder.name, probe, metrics, clientSettings, comeback,
                new Remedies(builder.name, builder.remediation, builder.skippedRemedies, pool, metrics));
        this.preflightReport = new PreflightReport(builder.name, metrics);
        this.connectBound = builder.connectTimeout.isZero() || pool != null ? null
                : new ConnectBound(builder.name, builder.connectTimeout);
        this.retryRule = builder.retryRule;
        this.links = new Links(delegate::getConnection);
        this.retrier = new Retrier(builder.name, builder.maxAttempts, builder.initialInterval, builder.multiplier,
                builder.maxInterval, builder.retryBudget);
        this.retryBudget = new RetryBudget(builder.retryBudgetRatio, builder.retryBudgetMinimum);
        this.closesDelegate = builder.closesDelegate;
        this.transactionReplay = builder.transactionReplay;
        this.commitOutcomes = new CommitOutcomes(builder.name, builder.commitOutcome, builder.commitOutcomeTable,
                builder.commitOutcomeAutoCommitWrites, preflightConnections, metrics);
        this.replayMaxStatements = builder.replayMaxStatements;
        this.replayMaxBytes = builder.replayMaxBytes;
        this.clock = CoarseClock.lease();
    }

    /**
     * The probe does not try to connect while the gate (if any) has just seen the server refuse: it takes that
     * answer.
     */
    private static ServerProbe.ConnectionSource gatedProbe(RefillGate gate, ServerProbe.ConnectionSource source) {
        return gate == null ? source : () -> {
            SQLException recent = gate.recentFailure();
            if (recent != null) {
                throw recent;
            }
            return source.open();
        };
    }

    /**
     * Sits under a pool that has not started, so that it reconnects as soon as the server is back (see
     * {@link RefillGate}); a pool that runs already keeps HikariCP's own refill pace, which is said once.
     */
    private static RefillGate installRefillGate(HikariDataSource pool, Duration interval, Comeback comeback,
            Topology topology) {
        RefillGate gate = RefillGate.installUnder(pool, interval, comeback, topology);
        if (gate == null) {
            LoggerFactory.getLogger("io.github.linkguard.LinkGuard").info("[{}] the pool had started (or opens its "
                    + "connections through a DataSource class name or JNDI) before LinkGuard wrapped it: after an "
                    + "outage it reconnects at HikariCP's pace (up to 5 s after the server is back). Give LinkGuard "
                    + "a pool that has not started (new HikariDataSource() and setters, config.copyStateTo(pool), or "
                    + "Spring Boot's) to reconnect within reconnectInterval.", pool.getPoolName());
        }
        return gate;
    }

    /** Starts configuring a LinkGuard in front of {@code delegate} (a HikariCP pool, or any DataSource). */
    public static Builder builder(DataSource delegate) {
        return new Builder(delegate);
    }

    /**
     * Starts configuring a LinkGuard over a HikariCP pool made from {@code config}, which LinkGuard owns (closed
     * with it): the way in for code that would write {@code new HikariDataSource(config)}. That constructor starts
     * the pool at once, and LinkGuard can then no longer sit under it (HikariCP's pace after an outage, up to 5 s
     * late; no session reports; no writer found among the servers of a multi-host URL). This pool starts with its
     * first connection. {@code config} itself is not changed.
     */
    public static Builder hikari(HikariConfig config) {
        Objects.requireNonNull(config, "config");
        HikariDataSource pool = new HikariDataSource();
        config.copyStateTo(pool);
        return new Builder(pool);
    }

    /** The name of this DataSource: the {@code datasource} tag of its meters and the prefix of its logs. */
    public String name() {
        return handler.dataSource();
    }

    /** The operations that met a lost link lately (at most 50), newest first: for dashboards and endpoints. */
    public List<Incident> recentIncidents() {
        return handler.recentIncidents();
    }

    /**
     * Reads the server's variables and counters now over a fresh, bounded connection (a reading at most a
     * second old is reused), for health checks; empty if the probe is off ({@code probeTimeout} 0).
     */
    public Optional<ServerReading> readServer() {
        return handler.readServer();
    }

    /**
     * The servers of a multi-host URL and the writer now; empty with a single address, or where LinkGuard does not
     * sit under the pool (it then cannot choose where connections go).
     */
    public Optional<ServerTopology> topology() {
        return topology == null ? Optional.empty() : Optional.of(new ServerTopology(topology.addresses(),
                topology.writer()));
    }

    /** The last reading of the server, without reading it again. */
    public Optional<ServerReading> lastServerReading() {
        return handler.lastServerReading();
    }

    /**
     * Checks the classic misconfigurations behind lost links now, before the first one: the pool's settings
     * (HikariCP {@code maxLifetime}, {@code keepaliveTime}, {@code maximumPoolSize}, as configured), the
     * driver's as the pool's connections see them ({@code socketTimeout}, {@code connectTimeout},
     * {@code netTimeoutForStreamingResults}, {@code interactiveClient}) and the server's as a pooled session
     * sees them ({@code wait_timeout} of a session made with the pool's settings, {@code connect_timeout},
     * {@code net_write_timeout}, {@code max_allowed_packet}, {@code max_connections}), over one connection
     * bounded by 5 s; and whether a lost COMMIT can be resolved ({@link Builder#commitOutcome}: LinkGuard's table
     * is made here if missing). A server that cannot be reached is a finding, not an exception. Each finding is logged
     * once at WARN and reported as the gauge {@code linkguard.preflight}; a well-configured DataSource has
     * none. It blocks: call it off the main thread (the Spring Boot starter does, at start-up).
     */
    public List<Finding> preflight() {
        List<Finding> findings = Preflight.check(poolSettings, clientSettings, preflightConnections);
        Finding commits = commitOutcomes.finding();
        if (commits != null) {
            findings.add(commits);
        }
        if (failoverUnguarded) {
            findings.add(new Finding("failover-unguarded", Finding.Severity.WARNING, "The pool's URL names several "
                    + "servers, but the pool had started before LinkGuard wrapped it: after a failover Connector/J "
                    + "connects to the first server that answers, a replica read-only (failOverReadOnly=true, its "
                    + "default), and writes fail until the application restarts. Give LinkGuard a pool that has not "
                    + "started (LinkGuardDataSource.hikari(config), or Spring Boot's) to connect to the writer."));
        }
        return preflightReport.record(findings);
    }

    /** The remedies applied after lost links lately (at most 50), newest first (see {@link Builder#remediation}). */
    public List<Remedy> recentRemedies() {
        return handler.remedies().recent();
    }

    /** The findings of the last {@link #preflight()}, without checking again; empty before the first. */
    public List<Finding> lastPreflight() {
        return preflightReport.last();
    }

    @Override
    public Connection getConnection() throws SQLException {
        return getConnection(links);
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return getConnection(new Links(() -> delegate.getConnection(username, password)));
    }

    private Connection getConnection(Links source) throws SQLException {
        long start = CoarseClock.nanos();
        Connection physical = acquire(source.connector, start);
        handler.acquired(start);
        try {
            return GuardedConnection.of(source, physical, start);
        } catch (SQLException e) {
            source.evict(physical);
            throw e;
        }
    }

    /** A connection from {@code connector}: one attempt, and on a lost link the connect phase's retries. */
    private Connection acquire(ConnectBound.Connector connector, long start) throws SQLException {
        try {
            return connectOnce(connector);
        } catch (SQLException e) {
            return reconnect(connector, e, start);
        }
    }

    private Connection connectOnce(ConnectBound.Connector connector) throws SQLException {
        return connectBound == null ? connector.connect() : connectBound.connect(connector);
    }

    /**
     * The failure path of a connect: diagnoses it and, if it is a lost link worth another attempt, retries
     * with backoff until an attempt succeeds or the attempts or the time budget run out.
     */
    private Connection reconnect(ConnectBound.Connector connector, SQLException failure, long start)
            throws SQLException {
        Diagnosis first = handler.diagnoseConnect(failure, millisSince(start));
        if (first == null || !retrier.enabled() || !RetryPolicy.retriesConnect(first.cause())) {
            handler.notRetried(first);
            throw failure;
        }
        Retrier.Attempts attempts = retrier.start(start);
        SQLException last = failure;
        while (attempts.another(last)) {
            long attemptStart = System.nanoTime();
            try {
                Connection physical = connectOnce(connector);
                attempts.succeeded();
                handler.recovered(first, attempts.retries(), attempts.elapsedNanos());
                return physical;
            } catch (SQLException again) {
                Diagnosis diagnosis = handler.diagnoseConnect(again, millisSince(attemptStart));
                if (diagnosis == null || !RetryPolicy.retriesConnect(diagnosis.cause())) {
                    handler.notRetried(diagnosis == null ? first : diagnosis);
                    throw again;
                }
                last = again;
            }
        }
        handler.exhausted(first, attempts.retries());
        throw last;
    }

    /** Fresh links for the application's connections, with the credentials they were opened with. */
    private final class Links implements LinkSource {
        private final ConnectBound.Connector connector;
        private final Supplier<TransactionLog> logs = () -> new TransactionLog(replayMaxStatements, replayMaxBytes);

        Links(ConnectBound.Connector connector) {
            this.connector = connector;
        }

        @Override
        public LostLinkHandler handler() {
            return handler;
        }

        @Override
        public Retrier retrier() {
            return retrier;
        }

        @Override
        public RetryBudget retryBudget() {
            return retryBudget;
        }

        @Override
        public RetryRule retryRule() {
            return retryRule;
        }

        @Override
        public boolean autoCommitOf(Connection physical) throws SQLException {
            return pool != null ? pool.isAutoCommit() : physical.getAutoCommit();
        }

        @Override
        public ServerReports.Tracked serverReports() {
            return serverReports;
        }

        @Override
        public SessionCarry sessions() {
            return sessions;
        }

        @Override
        public CommitOutcomes commitOutcomes() {
            return commitOutcomes;
        }

        @Override
        public boolean replaysTransactions() {
            return transactionReplay;
        }

        @Override
        public Supplier<TransactionLog> transactionLogs() {
            return logs;
        }

        @Override
        public Connection connect() throws SQLException {
            return connectOnce(connector);
        }

        @Override
        public Connection connectWithRetries() throws SQLException {
            return acquire(connector, System.nanoTime());
        }

        @Override
        public void evict(Connection physical) {
            try {
                if (pool != null) {
                    pool.evictConnection(physical);
                } else {
                    physical.close();
                }
            } catch (SQLException | RuntimeException e) {
                // it is broken already: nothing more to do with it
            }
        }

        @Override
        public boolean followsWriter() {
            return topology != null;
        }

        @Override
        public void leftWriter(Connection physical) {
            if (topology == null) {
                return;
            }
            String address;
            try {
                address = physical.unwrap(JdbcConnection.class).getHostPortPair();
            } catch (SQLException | RuntimeException closed) {
                address = null; // HikariCP closed it already (an 08 SQLState): the writer it was to is not known
            }
            if (topology.notWriter(address) && pool.getHikariPoolMXBean() != null) {
                pool.getHikariPoolMXBean().softEvictConnections();
            }
        }
    }

    private static long millisSince(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return delegate.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        delegate.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        delegate.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return delegate.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return delegate.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        return Unwrapping.unwrap(this, delegate, iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
        return Unwrapping.isWrapperFor(this, delegate, iface);
    }

    /**
     * Stops LinkGuard's helper threads and closes the delegate if it can be closed (a pool) and
     * {@link Builder#closesDelegate} is on (the default). Closing again does nothing.
     *
     * @throws IllegalStateException if the delegate fails to close
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        clock.close();
        handler.close();
        if (refillGate != null) {
            refillGate.close();
        }
        if (connectBound != null) {
            connectBound.close();
        }
        if (closesDelegate && delegate instanceof AutoCloseable) {
            try {
                ((AutoCloseable) delegate).close();
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                throw new IllegalStateException("the DataSource under LinkGuard [" + name() + "] failed to close", e);
            }
        }
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return closed.get();
    }

    @Override
    public String toString() {
        return "LinkGuardDataSource[" + name() + " -> " + delegate + "]";
    }

    private static HikariDataSource hikari(DataSource dataSource) {
        try {
            return dataSource.isWrapperFor(HikariDataSource.class) ? dataSource.unwrap(HikariDataSource.class) : null;
        } catch (SQLException | LinkageError e) {
            return null;
        }
    }

    /**
     * Asks the server to report session changes and transaction states on every connection of a HikariCP pool
     * that has not started yet (Connector/J {@code trackSessionState}, server {@code session_track_state_change}
     * and {@code session_track_transaction_info}); returns what the DataSource's connections report (also
     * where the application configured it itself, on the pool's properties or on a Connector/J DataSource).
     */
    private static ServerReports.Tracked requestSessionReports(DataSource delegate, HikariDataSource pool) {
        DataSource driver = driverOf(delegate, pool);
        if (driver instanceof MysqlDataSource) {
            return ServerReports.requested((MysqlDataSource) driver);
        }
        if (pool == null) {
            return ServerReports.Tracked.NONE;
        }
        try {
            ServerReports.request(pool.getJdbcUrl(), pool.getDataSourceProperties()).forEach(pool::addDataSourceProperty);
        } catch (IllegalStateException started) {
            // the pool has started: its connections keep the settings they were made with
        }
        return ServerReports.requested(pool.getDataSourceProperties()).or(ServerReports.requested(pool.getJdbcUrl()));
    }

    /** The driver's DataSource under a HikariCP pool that was given one, else the delegate itself. */
    private static DataSource driverOf(DataSource delegate, HikariDataSource pool) {
        return pool != null && pool.getDataSource() != null ? pool.getDataSource() : delegate;
    }

    /** The driver settings the DataSource connects with, from its configuration. */
    private static ClientSettings clientSettings(DataSource dataSource, HikariDataSource pool) {
        DataSource driver = driverOf(dataSource, pool);
        if (driver instanceof MysqlDataSource) {
            return ClientSettings.of((MysqlDataSource) driver);
        }
        return pool == null ? ClientSettings.UNKNOWN : ClientSettings.fromUrl(pool.getJdbcUrl(), pool.getDataSourceProperties());
    }

    /**
     * Where the probe gets a fresh, bounded connection: past a HikariCP pool straight to its driver (so
     * that a full or broken pool does not stop it), else from the delegate itself.
     */
    private static ServerProbe.ConnectionSource probeConnections(DataSource delegate, HikariDataSource pool,
            Duration timeout) {
        if (pool != null && pool.getDataSource() != null) {
            DataSource unpooled = pool.getDataSource();
            return unpooled::getConnection;
        }
        if (pool != null && pool.getJdbcUrl() != null) {
            String url = pool.getJdbcUrl();
            Properties properties = new Properties();
            properties.putAll(pool.getDataSourceProperties());
            if (pool.getUsername() != null) {
                properties.setProperty("user", pool.getUsername());
            }
            if (pool.getPassword() != null) {
                properties.setProperty("password", pool.getPassword());
            }
            properties.setProperty("connectTimeout", Long.toString(timeout.toMillis()));
            properties.setProperty("socketTimeout", Long.toString(timeout.toMillis()));
            return () -> DriverManager.getConnection(url, properties);
        }
        return delegate::getConnection;
    }

    /**
     * Configures a {@link LinkGuardDataSource}; validates each value as it is set, so a bad configuration
     * fails where it is written.
     */
    public static final class Builder {
        static final Duration PROBE_FRESH_FOR = Duration.ofSeconds(1);

        private final DataSource delegate;
        /** The delegate as a HikariCP pool, or null. */
        private final HikariDataSource pool;
        private String name;
        private MeterRegistry meterRegistry;
        private Duration connectTimeout = Duration.ofSeconds(30);
        private Duration probeTimeout = Duration.ofSeconds(2);
        private int maxAttempts = 3;
        private Duration initialInterval = Duration.ofMillis(100);
        private double multiplier = 2.0;
        private Duration maxInterval = Duration.ofSeconds(2);
        private Duration retryBudget = Duration.ofSeconds(30);
        private Duration reconnectInterval = Duration.ofMillis(400);
        private List<String> servers = List.of();
        private double retryBudgetRatio = 0.1;
        private int retryBudgetMinimum = 10;
        private RetryRule retryRule = RetryRule.DEFAULT;
        private boolean closesDelegate = true;
        private boolean sessionTracking = true;
        private boolean transactionReplay = true;
        private boolean commitOutcome = true;
        private String commitOutcomeTable;
        private boolean commitOutcomeAutoCommitWrites;
        private boolean remediation = true;
        private Set<String> skippedRemedies = Set.of();
        private int replayMaxStatements = 256;
        private long replayMaxBytes = 1024 * 1024;

        private Builder(DataSource delegate) {
            this.delegate = Objects.requireNonNull(delegate, "delegate DataSource");
            if (delegate instanceof LinkGuardDataSource) {
                throw new IllegalArgumentException("the DataSource is already guarded by LinkGuard: "
                        + ((LinkGuardDataSource) delegate).name());
            }
            this.pool = hikari(delegate);
            this.name = pool != null && pool.getPoolName() != null ? pool.getPoolName() : "dataSource";
        }

        /**
         * The name of this DataSource: the {@code datasource} tag of its meters and the prefix of its logs
         * (default: the HikariCP pool name, else {@code dataSource}). Keep it short and stable.
         */
        public Builder name(String name) {
            Objects.requireNonNull(name, "name");
            if (name.isBlank()) {
                throw new IllegalArgumentException("name must not be blank");
            }
            this.name = name;
            return this;
        }

        /** Where to report {@code linkguard.*} meters; without one, nothing is measured. */
        public Builder meterRegistry(MeterRegistry meterRegistry) {
            this.meterRegistry = Objects.requireNonNull(meterRegistry, "meterRegistry");
            return this;
        }

        /**
         * The longest a {@code getConnection()} may take when the delegate does not bound it itself (not
         * HikariCP, whose {@code connectionTimeout} applies): default 30 s; {@link Duration#ZERO} trusts
         * the delegate (for pools that bound their borrow time, to save a thread hand-off per borrow).
         */
        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = nonNegative(connectTimeout, "connectTimeout");
            return this;
        }

        /**
         * How long a failing call waits for the server's evidence (variables and counters read over a
         * fresh connection after a failure): default 2 s; {@link Duration#ZERO} diagnoses from the client
         * side only.
         */
        public Builder probeTimeout(Duration probeTimeout) {
            this.probeTimeout = nonNegative(probeTimeout, "probeTimeout");
            return this;
        }

        /**
         * How many times an operation that lost its link may be tried, the first attempt included (default
         * 3; 1 never retries). Only what is safe is retried: see the README's table. With retries on, a lost
         * COMMIT's outcome is asked about on fresh links until {@link #retryBudget} runs out, beyond this count.
         */
        public Builder maxAttempts(int maxAttempts) {
            if (maxAttempts < 1) {
                throw new IllegalArgumentException("maxAttempts must be at least 1, was " + maxAttempts);
            }
            this.maxAttempts = maxAttempts;
            return this;
        }

        /** The wait before the first retry (default 100 ms); later waits grow by the multiplier, with jitter. */
        public Builder initialInterval(Duration initialInterval) {
            this.initialInterval = positive(initialInterval, "initialInterval");
            return this;
        }

        /** How much each wait grows over the previous one (default 2.0; at least 1). */
        public Builder multiplier(double multiplier) {
            if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
                throw new IllegalArgumentException("multiplier must be at least 1, was " + multiplier);
            }
            this.multiplier = multiplier;
            return this;
        }

        /** The longest wait between two attempts (default 2 s). */
        public Builder maxInterval(Duration maxInterval) {
            this.maxInterval = positive(maxInterval, "maxInterval");
            return this;
        }

        /**
         * The longest an operation may take, retries and waits included (default 30 s): no new attempt
         * starts after it.
         */
        public Builder retryBudget(Duration retryBudget) {
            this.retryBudget = positive(retryBudget, "retryBudget");
            return this;
        }

        /**
         * The most LinkGuard's retries may add to the statements this DataSource sends, over a sliding window
         * of 10 s (default 0.1: at most one retried statement per ten sent, a replayed transaction counting
         * its statements), so that retries never multiply the work of a server that fails most of it. Above
         * it, a lost link is not retried: the application sees the failure, and
         * {@code linkguard.retry.budget.refused} counts it. {@link #retryBudgetMinimum} keeps a quiet
         * application able to recover.
         */
        public Builder retryBudgetRatio(double ratio) {
            if (!(ratio >= 0) || Double.isInfinite(ratio)) {
                throw new IllegalArgumentException("retryBudgetRatio must be 0 or more, was " + ratio);
            }
            this.retryBudgetRatio = ratio;
            return this;
        }

        /**
         * Retries per second the retry budget allows whatever was sent (default 10), so that an application
         * that sends little still recovers from a restart; 0 leaves only {@link #retryBudgetRatio}.
         */
        public Builder retryBudgetMinimum(int perSecond) {
            if (perSecond < 0) {
                throw new IllegalArgumentException("retryBudgetMinimum must be 0 or more, was " + perSecond);
            }
            this.retryBudgetMinimum = perSecond;
            return this;
        }

        /**
         * How often a HikariCP pool under LinkGuard tries to reconnect while the server is away and operations
         * wait for a connection (default 400 ms, jittered by a quarter). In between it watches 20 times (a knock
         * at the server's port; with several servers, a look at which one writes) and connects as soon as the
         * server or a new writer is there, skipping the attempts it knows would fail; where it cannot tell (a
         * host that drops packets), the first call after the server is back waits about half an interval on
         * average. HikariCP alone waits 10 ms after a failed attempt, doubling up to 5 s. Needs a pool that has
         * not started when LinkGuard wraps it (Spring Boot's, or {@code new HikariDataSource()} with setters).
         */
        public Builder reconnectInterval(Duration reconnectInterval) {
            this.reconnectInterval = positive(reconnectInterval, "reconnectInterval");
            return this;
        }

        /**
         * The servers a failover moves the writer between ({@code host:port}, {@code [ipv6]:port}, or without the port
         * for 3306), for
         * a pool whose JDBC URL names one address (a DNS name, a proxy) or not all of them: LinkGuard opens every
         * connection to the writer among them, as it does for the hosts of a Connector/J multi-host URL (default:
         * those). The URL's database and properties are kept. Needs a HikariCP pool that has not started.
         *
         * @throws IllegalArgumentException for fewer than two servers, a blank or repeated one, or a bad port
         */
        public Builder servers(List<String> servers) {
            Objects.requireNonNull(servers, "servers");
            if (servers.isEmpty()) {
                this.servers = List.of();
                return this;
            }
            if (servers.size() < 2) {
                throw new IllegalArgumentException("servers must name at least two servers to fail over between, was "
                        + servers);
            }
            for (String server : servers) {
                checkAddress(server);
            }
            if (servers.stream().distinct().count() < servers.size()) {
                throw new IllegalArgumentException("servers must not repeat a server, was " + servers);
            }
            this.servers = List.copyOf(servers);
            return this;
        }

        private static void checkAddress(String server) {
            if (server == null || !server.matches("([A-Za-z0-9._\\-]+|\\[[0-9A-Fa-f:.]+])(:[0-9]{1,5})?")) {
                throw new IllegalArgumentException("a server must be host or host:port, was '" + server + "'");
            }
            int colon = server.lastIndexOf(':') > server.lastIndexOf(']') ? server.lastIndexOf(':') : -1;
            int port = colon < 0 ? 3306 : Integer.parseInt(server.substring(colon + 1));
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("a server's port must be 1 to 65535, was '" + server + "'");
            }
        }

        /**
         * Narrows or widens which statements run again after a lost link in auto-commit mode (default:
         * reads, statements declared idempotent with the comment {@code linkguard:idempotent}, and
         * statements known not to have run).
         */
        public Builder retryRule(RetryRule retryRule) {
            this.retryRule = Objects.requireNonNull(retryRule, "retryRule");
            return this;
        }

        /**
         * Whether {@link LinkGuardDataSource#close()} also closes the delegate (default true). Turn it off
         * when something else owns the pool's lifecycle, as a Spring context does.
         */
        public Builder closesDelegate(boolean closesDelegate) {
            this.closesDelegate = closesDelegate;
            return this;
        }

        /**
         * Whether LinkGuard asks the server to report every change of a session's state and of its
         * transaction's (default true), so that a change made where the SQL text does not show it (a stored
         * procedure or function) is not lost silently after a lost link, and a transaction is what the server
         * says it is (where it began and ended, whether it wrote a non-transactional table: see
         * docs/transactions.md). It adds {@code trackSessionState=true} and
         * {@code sessionVariables=session_track_state_change=ON,session_track_transaction_info=STATE} to a
         * HikariCP pool's driver properties before the pool starts (MySQL 5.7+, MariaDB 10.3+). Turn it off
         * for servers or proxies without session tracking; without it, a {@code CALL} makes the session
         * unrestorable and a transaction that wrote is not replayed.
         */
        public Builder sessionTracking(boolean sessionTracking) {
            this.sessionTracking = sessionTracking;
            return this;
        }

        /**
         * Whether a transaction whose link is lost after its first statement runs again on a fresh link
         * (default true), when the replay can prove it observes what the application observed: each
         * statement's update count and a digest of every value the application read from results and generated
         * keys (savepoints are made again, generated keys asked for again). A replay that sees other data, or
         * meets a deadlock, rolls back and fails with SQLState {@code 40001}. Off, or when a transaction cannot
         * be replayed (a stream or LOB read, a session change, a batch, a stored procedure, over
         * {@link #replayBounds}), it is lost: calls fail until {@code rollback()}.
         */
        public Builder transactionReplay(boolean transactionReplay) {
            this.transactionReplay = transactionReplay;
            return this;
        }

        /**
         * Whether a COMMIT lost with its link is resolved (default true): every transaction that wrote writes a
         * marker row in LinkGuard's table with its COMMIT (one call of LinkGuard's procedure where the user may
         * make and run it, else a statement just before the COMMIT); after a lost COMMIT a fresh link makes sure
         * the old session can no longer commit and reads the row: committed, {@code commit()} returns; not
         * committed, the transaction is replayed and committed (or fails with {@code 40001}, nothing committed).
         * The table is created when missing if the user may ({@link CommitOutcomes#ddl}); where it cannot be, a
         * lost COMMIT fails with {@code 08007} as when off.
         */
        public Builder commitOutcome(boolean commitOutcome) {
            this.commitOutcome = commitOutcome;
            return this;
        }

        /**
         * The table of {@link #commitOutcome}'s markers: {@code table} (in the schema the connections' URL names)
         * or {@code schema.table} (default {@value CommitOutcomes#DEFAULT_TABLE}).
         *
         * @throws IllegalArgumentException for a name that is not plain (letters, digits, {@code _}, {@code $})
         */
        public Builder commitOutcomeTable(String table) {
            this.commitOutcomeTable = CommitOutcomes.tableName(table);
            return this;
        }

        /**
         * Whether writes in auto-commit mode ({@code INSERT}, {@code UPDATE}, {@code DELETE}, {@code REPLACE}
         * through a statement or a prepared statement) are resolved like a COMMIT (default false): each runs as a
         * transaction of its own with {@link #commitOutcome}'s marker, so that one whose link is lost is run
         * again (lost before it committed) or returns (it committed) instead of failing with {@code 08007}. It
         * costs three round trips more per such write (auto-commit off, the marker with the COMMIT, auto-commit
         * on): measured, a third of their throughput (docs/BENCHMARKS.md). Needs {@link #commitOutcome} on.
         */
        public Builder commitOutcomeAutoCommitWrites(boolean autoCommitWrites) {
            this.commitOutcomeAutoCommitWrites = autoCommitWrites;
            return this;
        }

        /**
         * Whether LinkGuard applies the MySQL manual's remedies after the lost links that call for them (default
         * true), each counted in {@code linkguard.remedies} and listed by {@link LinkGuardDataSource#recentRemedies()}: after an
         * {@code idle-timeout} it evicts the pool's idle connections (as old as the one that died); after a
         * {@code server-restart} it refreshes the pool; after a {@code transfer-timeout} of a streamed result,
         * later streamed reads raise their session's {@code net_write_timeout} (60 s, doubling at each new
         * timeout up to 600 s) and the connection goes back to the pool with its own value; after one of a large
         * statement, later values of 1 MiB or more raise {@code net_read_timeout} the same way.
         */
        public Builder remediation(boolean remediation) {
            this.remediation = remediation;
            return this;
        }

        /**
         * Remedies not to apply, by {@code action}: {@code evict-idle-connections}, {@code refresh-pool},
         * {@code raise-net-write-timeout}, {@code raise-net-read-timeout} (default: none).
         *
         * @throws IllegalArgumentException for an action that does not exist
         */
        public Builder skipRemedies(Collection<String> actions) {
            for (String action : actions) {
                if (!Remedies.ACTIONS.contains(action)) {
                    throw new IllegalArgumentException("no remedy '" + action + "'; remedies: "
                            + new TreeSet<>(Remedies.ACTIONS));
                }
            }
            this.skippedRemedies = Set.copyOf(actions);
            return this;
        }

        /**
         * How much of an open transaction is kept for its replay (default 256 statements other than queries, and
         * 1 MiB: SQL text, bound values, 8 bytes per value read and 320 per statement); a transaction over
         * either is not replayed. Queries count against the size alone, so that a listing read one query at a
         * time (1 + N + M statements) stays replayable as the data grows.
         */
        public Builder replayBounds(int maxStatements, long maxBytes) {
            if (maxStatements < 1) {
                throw new IllegalArgumentException("replay maxStatements must be at least 1, was " + maxStatements);
            }
            if (maxBytes < 1) {
                throw new IllegalArgumentException("replay maxBytes must be at least 1, was " + maxBytes);
            }
            this.replayMaxStatements = maxStatements;
            this.replayMaxBytes = maxBytes;
            return this;
        }

        /** The configured LinkGuard DataSource. */
        public LinkGuardDataSource build() {
            if (maxInterval.compareTo(initialInterval) < 0) {
                throw new IllegalArgumentException("maxInterval (" + maxInterval + ") must not be shorter than "
                        + "initialInterval (" + initialInterval + ")");
            }
            if (!servers.isEmpty() && (pool == null || pool.getHikariPoolMXBean() != null)) {
                throw new IllegalStateException("servers need a HikariCP pool that has not started, under LinkGuard "
                        + "(LinkGuardDataSource.hikari(config), or Spring Boot's): it is where connections are opened "
                        + "to the writer");
            }
            return new LinkGuardDataSource(this);
        }

        private static Duration positive(Duration value, String what) {
            Objects.requireNonNull(value, what);
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(what + " must be positive, was " + value);
            }
            return value;
        }

        private static Duration nonNegative(Duration value, String what) {
            Objects.requireNonNull(value, what);
            if (value.isNegative()) {
                throw new IllegalArgumentException(what + " must not be negative, was " + value);
            }
            return value;
        }
    }
}
