package io.github.linkguard.internal;

import io.github.linkguard.RetryRule;
import io.github.linkguard.internal.commit.CommitOutcomes;
import io.github.linkguard.internal.replay.TransactionLog;
import io.github.linkguard.internal.retry.Retrier;
import io.github.linkguard.internal.retry.RetryBudget;
import io.github.linkguard.internal.session.ServerReports;
import io.github.linkguard.internal.session.SessionCarry;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.function.Supplier;

/**
 * Where an application's connection gets a fresh physical link after a lost one, and where the broken
 * one goes: never back to the pool.
 */
public interface LinkSource {

    /** Diagnoses and counts this DataSource's failures, and applies the remedies they call for. */
    LostLinkHandler handler();

    /** Paces this DataSource's retries. */
    Retrier retrier();

    /** Caps what this DataSource's retries add to the statements it sends. */
    RetryBudget retryBudget();

    /** Which statements run again after a lost link. */
    RetryRule retryRule();

    /**
     * The auto-commit mode of a connection just taken from the delegate: a HikariCP pool's setting (it
     * resets every connection to it before handing it out), else the connection's own.
     */
    boolean autoCommitOf(Connection physical) throws SQLException;

    /**
     * What this DataSource's connections ask the server to report (session tracking: session changes,
     * transaction states), so that each connection looks for the reports.
     */
    ServerReports.Tracked serverReports();

    /** The SQL-made session state of physical connections back in the pool, for their next borrow. */
    SessionCarry sessions();

    /** Learns whether a COMMIT lost with its link took effect (one instance per DataSource). */
    CommitOutcomes commitOutcomes();

    /** Whether transactions lost with their link are replayed on a fresh one. */
    boolean replaysTransactions();

    /** Makes a new log for a transaction's replay, with this DataSource's bounds (one instance per DataSource). */
    Supplier<TransactionLog> transactionLogs();

    /** One bounded attempt at a new physical connection. */
    Connection connect() throws SQLException;

    /** A new physical connection, with the connect phase's retries. */
    Connection connectWithRetries() throws SQLException;

    /** Takes a broken physical connection out of use for good (HikariCP: evicts it; else closes it). */
    void evict(Connection physical);

    /** Whether the writer is followed here (a multi-host URL, or servers named): a write can move to the next. */
    boolean followsWriter();

    /**
     * The server of {@code physical} is no longer the writer (it refused a write as read-only, a Galera node is
     * not ready): where the writer is followed it is learned again, and the pool's other connections to that
     * server leave too (soft eviction); else nothing.
     */
    void leftWriter(Connection physical);
}
