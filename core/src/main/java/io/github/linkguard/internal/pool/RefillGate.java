package io.github.linkguard.internal.pool;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import com.zaxxer.hikari.util.DriverDataSource;
import io.github.linkguard.internal.diagnosis.ExceptionEvidence;
import io.github.linkguard.internal.topology.NoWriterException;
import io.github.linkguard.internal.topology.Topology;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * The DataSource a HikariCP pool opens its connections with, when LinkGuard sits under the pool too: why
 * recovery from an outage takes milliseconds instead of seconds.
 *
 * <p>HikariCP refills on one thread, and after a failed attempt that thread sleeps 10 ms, doubling up to 5 s,
 * so the first connection after a restart comes up to 5 s after the server is back. Here, while the server
 * is away and operations wait for the pool, the refill thread's call waits in this gate instead, which tries
 * again every {@code interval} (jittered; growing after 25 intervals, see {@link #pauseAfter}) and returns
 * the first connection the server accepts; in between it watches for the server's return ({@link Watch}: a knock
 * at its port, or a look at which server of a topology writes), tries at once when it sees it, and skips an
 * attempt it knows would fail. Where the server answers (its greeting comes) but its new connections break as
 * they are made (sessions killed as they begin), attempts come a look's pause apart. With nobody waiting it
 * tries once per call and HikariCP paces itself as usual. The first failure of an outage is always thrown,
 * so the pool's timeout exceptions keep carrying the driver's real cause. Every connection is still the
 * pool's: its size, metrics and settings stay the ones the application configured.
 */
public final class RefillGate implements DataSource, AutoCloseable {

    /** How many intervals of an outage are tried at the steady pace. */
    static final int STEADY_ATTEMPTS = 25;
    /** HikariCP's longest pause between two attempts to add a connection. */
    static final long LONGEST_PAUSE_MILLIS = 5_000;
    /** How often the watch looks between two attempts. */
    static final int LOOKS_PER_PAUSE = 20;

    private final HikariDataSource pool;
    private final DataSource given;
    private final long intervalNanos;
    private final Comeback comeback;
    /** The servers of a multi-host URL, whose writer gets the connections; null for one server. */
    private final Topology topology;
    /** Tells, between attempts, when the server (or a writer) is back; null where it cannot. */
    private final Watch watch;
    /**
     * The watch said the server was back but the attempt after it failed (a server shutting down still accepts, a
     * proxy accepts for a server that is away): its word is not taken until it sees the server surely away.
     */
    private volatile boolean watchMisled;
    /**
     * The server answers (the watch heard its greeting) but the attempts break as they are made (sessions killed
     * as they begin, under a storm of kills): no outage, the next attempt comes a look's pause later, unwatched.
     */
    private volatile boolean breaking;
    private volatile DataSource target;
    /** When the current outage began (nanoTime of its first failed attempt); 0 while the server answers. */
    private volatile long downSinceNanos;
    /** When the refill thread, held here, tries again: an interval after the last attempt, jittered. */
    private volatile long nextAttemptNanos;
    private volatile SQLException lastFailure;
    private volatile long lastFailureNanos;
    private volatile boolean closed;

    private RefillGate(HikariDataSource pool, Duration interval, Comeback comeback, Topology topology) {
        this.pool = pool;
        this.given = pool.getDataSource();
        this.intervalNanos = interval.toNanos();
        this.comeback = comeback;
        this.topology = topology;
        this.watch = topology != null ? new WriterWatch(topology) : PortKnock.of(pool, given);
    }

    /**
     * Puts a gate under {@code pool} if it has not started yet and opens its connections from a JDBC URL or a
     * DataSource it was given; returns null (and changes nothing) otherwise. With a {@code topology} (a JDBC URL
     * naming several servers) its connections go to the writer.
     */
    public static RefillGate installUnder(HikariDataSource pool, Duration interval, Comeback comeback,
            Topology topology) {
        if (pool.isRunning() || pool.isClosed() || pool.getHikariPoolMXBean() != null
                || (pool.getDataSource() == null && pool.getJdbcUrl() == null)) {
            return null;
        }
        RefillGate gate = new RefillGate(pool, interval, comeback, topology);
        try {
            pool.setDataSource(gate);
        } catch (IllegalStateException sealed) {
            return null;
        }
        return gate;
    }

    @Override
    public Connection getConnection() throws SQLException {
        return open(DataSource::getConnection);
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return open(target -> target.getConnection(username, password));
    }

    private Connection open(Topology.Opener connector) throws SQLException {
        if (downSinceNanos == 0 || !demand()) {
            return attempt(connector);
        }
        SQLException last = null;
        while (true) {
            long wait = nextAttemptNanos - System.nanoTime();
            boolean watchedBack = false;
            if (wait > 0) {
                if (watch == null || breaking) {
                    pause(wait, last);
                    continue;
                }
                Watch.Chance chance = watchFor(wait, last);
                if (chance == Watch.Chance.NONE) {
                    watchMisled = false; // the server is surely away now: its return will show
                    if (demand()) {
                        skipAttempt(); // it would only fail: the next one is due an interval later
                        continue;
                    }
                } else if (chance == Watch.Chance.NOW && watchMisled) {
                    chance = Watch.Chance.DUE; // it looked back before, and was not: the attempt when it is due
                }
                long rest = nextAttemptNanos - System.nanoTime();
                if (chance == Watch.Chance.DUE && rest > 0) {
                    pause(rest, last); // the watch could not tell: the attempt when it is due
                }
                watchedBack = chance == Watch.Chance.NOW; // then attempts at once
            }
            if (closed || pool.isClosed()) {
                throw last != null ? last : new SQLTransientConnectionException("the pool is closing", "08001");
            }
            try {
                return attempt(connector);
            } catch (SQLException failure) {
                if (!demand() || !ExceptionEvidence.of(failure).isLinkFailure()) {
                    throw failure; // nobody waits any more (HikariCP paces itself), or not an outage
                }
                if (watchedBack || breaking) {
                    // the port accepted: the server itself answers and its new sessions break, or another accepts
                    breaking = watch.serverAnswers();
                    watchMisled |= watchedBack && !breaking;
                    if (breaking) {
                        nextAttemptNanos = System.nanoTime() + pause() / LOOKS_PER_PAUSE;
                    }
                }
                last = failure;
            }
        }
    }

    /**
     * Watches until the next attempt is due, {@value #LOOKS_PER_PAUSE} looks per pause between attempts, for the
     * server's return ({@link Watch}).
     */
    private Watch.Chance watchFor(long nanos, SQLException last) throws SQLException {
        try {
            return watch.await(nanos, pause() / LOOKS_PER_PAUSE, () -> closed || pool.isClosed());
        } catch (InterruptedException e) {
            throw interrupted(e, last);
        }
    }

    /** The attempt due now is not made (the watch knows it would fail); the last failure stands as the reading. */
    private void skipAttempt() {
        long now = System.nanoTime();
        nextAttemptNanos = now + jittered(pause());
        if (lastFailure != null) {
            lastFailureNanos = now;
        }
    }

    /** The pause between two attempts at this point of the outage. */
    private long pause() {
        long down = downSinceNanos;
        return pauseAfter(down == 0 ? 0 : System.nanoTime() - down, intervalNanos);
    }

    /** +-25 %, so that the instances of an application do not all reconnect in step after a restart. */
    private static long jittered(long pause) {
        return (long) (pause * (0.75 + 0.5 * ThreadLocalRandom.current().nextDouble()));
    }

    private Connection attempt(Topology.Opener connector) throws SQLException {
        long now = System.nanoTime();
        nextAttemptNanos = now + jittered(pause());
        try {
            Connection connection = topology != null ? topology.connect(connector) : connector.open(target());
            breaking = false;
            if (downSinceNanos != 0) {
                downSinceNanos = 0;
                lastFailure = null;
                watchMisled = false;
                if (watch != null) {
                    watch.release();
                }
                comeback.serverBack(System.nanoTime());
            }
            return connection;
        } catch (SQLException failure) {
            if (ExceptionEvidence.of(failure).isLinkFailure()) {
                if (downSinceNanos == 0) {
                    downSinceNanos = now;
                }
                lastFailureNanos = System.nanoTime();
                // with no writer, what the lost writer answered (else nothing: the probe asks it itself)
                lastFailure = failure instanceof NoWriterException noWriter ? noWriter.lostWriterAnswer() : failure;
            }
            throw failure;
        }
    }

    /**
     * The pause before the next attempt, the server away for {@code downNanos}: the interval for the first
     * {@value #STEADY_ATTEMPTS} intervals of an outage (restarts, failovers), then growing by a tenth of the
     * time beyond, up to HikariCP's own longest pause ({@value #LONGEST_PAUSE_MILLIS} ms), so that a long
     * outage costs the server about as many attempts as HikariCP alone would make.
     */
    static long pauseAfter(long downNanos, long intervalNanos) {
        long beyond = downNanos - STEADY_ATTEMPTS * intervalNanos;
        if (beyond <= 0) {
            return intervalNanos;
        }
        return Math.max(intervalNanos, Math.min(TimeUnit.MILLISECONDS.toNanos(LONGEST_PAUSE_MILLIS),
                intervalNanos + beyond / 10));
    }

    private void pause(long nanos, SQLException last) throws SQLException {
        try {
            TimeUnit.NANOSECONDS.sleep(nanos);
        } catch (InterruptedException e) {
            throw interrupted(e, last);
        }
    }

    private static SQLException interrupted(InterruptedException e, SQLException last) {
        Thread.currentThread().interrupt();
        return last != null ? last : new SQLTransientConnectionException("interrupted while the server was away",
                "08001", e);
    }

    /**
     * Whether operations wait for the pool, or soon will: in the first two intervals of an outage the
     * operations that lost their links are still on their way back to the pool (diagnosing, backing off).
     */
    private boolean demand() {
        HikariPoolMXBean running = pool.getHikariPoolMXBean();
        if (running == null) {
            return false; // the pool is starting: HikariCP's own start-up check paces itself
        }
        long down = downSinceNanos;
        return running.getThreadsAwaitingConnection() > 0
                || (down != 0 && System.nanoTime() - down < 2 * intervalNanos);
    }

    /**
     * The failure of the last attempt if it was made less than an interval ago and the server is still
     * away, else null: LinkGuard's probe takes it as its reading instead of trying too. When no server was the
     * writer, it is how the writer lost last failed (the probe's server), never the other servers' answers.
     */
    public SQLException recentFailure() {
        SQLException failure = lastFailure;
        return failure != null && downSinceNanos != 0 && System.nanoTime() - lastFailureNanos < intervalNanos
                ? failure : null;
    }

    /** Where connections come from: the DataSource the pool was given, or the driver at its JDBC URL. */
    private DataSource target() throws SQLException {
        DataSource current = target;
        if (current == null) {
            synchronized (this) {
                current = target;
                if (current == null) {
                    current = given != null ? given
                            : new DriverDataSource(pool.getJdbcUrl(), pool.getDriverClassName(),
                                    pool.getDataSourceProperties(), pool.getUsername(), pool.getPassword());
                    target = current;
                }
            }
        }
        return current;
    }

    /** Stops waiting: a refill call in the gate gives up within one interval. */
    @Override
    public void close() {
        closed = true;
        if (watch != null) {
            watch.close();
        }
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return target().getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        target().setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        target().setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return target().getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return Logger.getLogger("io.github.linkguard");
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        return type.isInstance(this) ? type.cast(this) : target().unwrap(type);
    }

    @Override
    public boolean isWrapperFor(Class<?> type) throws SQLException {
        return type.isInstance(this) || target().isWrapperFor(type);
    }

    @Override
    public String toString() {
        return "LinkGuard refill gate over " + (given != null ? given.getClass().getName() : "the pool's JDBC URL");
    }
}
