package io.github.linkguard.internal.jdbc;

import io.github.linkguard.Phase;
import io.github.linkguard.Diagnosis;
import io.github.linkguard.internal.CoarseClock;
import io.github.linkguard.internal.LinkSource;
import io.github.linkguard.internal.LostLinkHandler;
import io.github.linkguard.internal.remedy.Remedies;
import io.github.linkguard.internal.remedy.Remedies.SessionTimeout;
import io.github.linkguard.internal.replay.ReadLog;
import io.github.linkguard.internal.replay.TransactionLog;
import io.github.linkguard.internal.retry.Retrier;
import io.github.linkguard.internal.retry.RetryPolicy;
import io.github.linkguard.internal.retry.SqlStatements;
import io.github.linkguard.internal.session.ServerReports;
import io.github.linkguard.internal.session.SessionSql;
import io.github.linkguard.internal.session.SessionState;
import io.github.linkguard.internal.transaction.Isolation;
import io.github.linkguard.internal.transaction.NonTransactionalTables;
import io.github.linkguard.internal.transaction.Transaction;
import io.github.linkguard.internal.transaction.TransactionSql;
import java.sql.Array;
import java.sql.Blob;
import java.sql.CallableStatement;
import java.sql.Clob;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.NClob;
import java.sql.PreparedStatement;
import java.sql.SQLClientInfoException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransactionRollbackException;
import java.sql.SQLWarning;
import java.sql.SQLXML;
import java.sql.Savepoint;
import java.sql.ShardingKey;
import java.sql.Statement;
import java.sql.Struct;
import java.sql.Wrapper;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * The application's connection. It delegates every call to a physical connection from the pool, records
 * when the link was last known good, and hands every failure to the {@link LostLinkHandler} with the phase
 * it happened in. After a lost link it stays usable: the broken physical connection is evicted, and the
 * next call continues on a fresh one with the session restored ({@code internal.session}: or, where it
 * cannot be, every call fails with SQLState {@code 08003}) and the open statements re-created. Statements
 * that are safe to run again are retried on the fresh link, as are the first statement of a transaction and
 * the calls that begin one; a write whose outcome is unknown surfaces as SQLState {@code 08007}; a
 * transaction lost after its first statement is replayed ({@code internal.replay}) where the replay can
 * prove it, else every call fails until {@link #rollback()}.
 * Not thread-safe, like the connection it wraps.
 */
public final class GuardedConnection extends DelegatingWrapper implements Connection {

    /** The link works. */
    private static final int OPEN = 0;
    /** The link was lost outside a transaction: the next call gets a fresh one. */
    private static final int LOST = 1;
    /** The link was lost inside a transaction: the work is gone, calls fail until rollback(). */
    private static final int TRANSACTION_LOST = 2;
    /** The most dead links from the pool a recovery passes over before it counts one as an attempt. */
    private static final int MAX_DEAD_LINKS = 16;
    /** How long a fresh link in a recovery may take to answer its ping. */
    private static final int LIVENESS_SECONDS = 2;

    private Connection delegate;
    private final LinkSource link;
    private final long acquiredNanos;
    private long lastGoodNanos;
    private int state;
    private boolean closed;
    /** The open transaction: where it began, what it wrote, its log for the replay. */
    private final Transaction transaction;
    /** What the session holds beyond a fresh link's defaults; null until the first setting (most make none). */
    private SessionState session;
    /** What the server says in its replies on the current link, once looked up; null if not Connector/J's. */
    private ServerReports serverReports;
    private boolean serverReportsLookedUp;
    /** The diagnosis of the last lost link, attached to the failures of a session that could not be restored. */
    private Diagnosis lastLoss;
    /** The open statements, newest first, linked through the statements themselves (nothing to allocate). */
    private GuardedStatement openStatements;
    /** Statements sent since they were last added to the retry budget. */
    private int sent;
    /** The {@code net_write_timeout} a remedy gave the current link's session, in seconds; 0 if none. */
    private int raisedNetWriteTimeout;
    /** The {@code net_read_timeout} a remedy gave the current link's session, in seconds; 0 if none. */
    private int raisedNetReadTimeout;

    /**
     * @param link where fresh links come from after a lost one
     * @param delegate the pool's connection
     * @param acquiredNanos {@link CoarseClock#nanos()} when the application asked for the connection
     */
    public GuardedConnection(LinkSource link, Connection delegate, long acquiredNanos) throws SQLException {
        this.link = link;
        this.delegate = delegate;
        this.acquiredNanos = acquiredNanos;
        this.lastGoodNanos = acquiredNanos;
        this.transaction = new Transaction(link.autoCommitOf(delegate), link.replaysTransactions(), link.transactionLogs());
        this.session = link.sessions().take(delegate);
    }

    private SessionState session() {
        if (session == null) {
            session = new SessionState();
        }
        return session;
    }

    /** The link just answered: remember when. */
    void markGood() {
        lastGoodNanos = CoarseClock.nanos();
    }

    /**
     * A statement ran on the link: the link is good, and what the statement did to the session is noted
     * (only when its text may change the session, a session setting exists, or the server reports changes).
     *
     * @param touchesSession {@link SessionSql#touchesSession} of {@code sql}
     * @param updateCount what the execution returned: an update count, or {@link GuardedStatement#RESULT},
     *        {@link GuardedStatement#ASK}, {@link GuardedStatement#BATCH}
     */
    void ran(boolean touchesSession, String sql, GuardedStatement statement, long updateCount) {
        lastGoodNanos = CoarseClock.nanos();
        sent++;
        statement.keptAs(-1, null);
        if (transaction.ran(sql, serverReports(), statement) && transaction.log() != null) {
            keepForReplay(touchesSession, sql, statement, updateCount);
        }
        if (touchesSession || session != null || link.serverReports().sessionChanges()) {
            noteSession(touchesSession, sql, statement);
        }
    }

    /** Keeps a statement of the open transaction for its replay, or says why the transaction cannot be replayed. */
    private void keepForReplay(boolean touchesSession, String sql, GuardedStatement statement, long updateCount) {
        TransactionLog log = transaction.log();
        if (log.whyNot() != null) {
            return;
        }
        if (updateCount == GuardedStatement.BATCH) {
            log.notReplayable("it ran a batch");
            return;
        }
        if (touchesSession) {
            log.notReplayable("it changed the session");
            return;
        }
        TransactionLog.Step step = statement.step(); // copies the bound parameters: only for what is kept
        if (step == null) {
            log.notReplayable(statement.whyNotReplayable());
            return;
        }
        boolean plain = statement.sql == null;
        long size = GuardedStatement.lengthOf(sql) + statement.payloadBytes();
        if (updateCount == GuardedStatement.RESULT) {
            statement.keptAs(-1, log.addQuery(step, sql, plain, size));
            return;
        }
        try {
            long count = updateCount == GuardedStatement.ASK ? statement.updateCount() : updateCount;
            statement.keptAs(log.add(step, sql, plain, count, size), null);
        } catch (SQLException e) {
            log.notReplayable("its update count could not be read");
        }
    }

    /**
     * The application reads the generated keys of {@code statement}'s last execution: where the reads go while
     * the open transaction is kept for its replay, else null.
     */
    ReadLog keysRead(GuardedStatement statement) {
        if (!transaction.keeping()) {
            return null;
        }
        ReadLog keys = transaction.log().keysOf(statement.kept());
        if (keys == null) {
            transaction.log().notReplayable("it read generated keys of a statement the replay did not keep");
        }
        return keys;
    }

    /**
     * A savepoint command of the open transaction ran: a loss from here on loses work (the savepoint), and the
     * replay makes the command again as SQL ({@code SAVEPOINT `name`}, ...).
     */
    private Savepoint savepointMade(String command, Savepoint savepoint) throws SQLException {
        if (transaction.savepoint() && transaction.log() != null) {
            String sql = command + " `" + savepoint.getSavepointName().replace("`", "``") + "`";
            transaction.log().add(Connection::createStatement, sql, true, 0, sql.length());
        }
        return savepoint;
    }

    /** Why the open transaction, lost with its link, cannot run again on a fresh one with proof; null if it can. */
    private String whyNotReplayable() {
        if (!link.replaysTransactions()) {
            return "transaction replay is off";
        }
        if (!retries()) {
            return "retries are off";
        }
        if (sessionUnrestorable()) {
            return "the session cannot be restored";
        }
        return transaction.whyNotReplayable();
    }

    private void noteSession(boolean touchesSession, String sql, GuardedStatement statement) {
        if (session != null) {
            session.statementRan();
        }
        ServerReports reports = serverReports();
        boolean tracked = reports != null && reports.sessionChanges();
        boolean reported = tracked && reports.changed(); // before any read-back replaces the report
        boolean explained = false;
        if (touchesSession) {
            explained = session().record(sql, delegate, statement::boundValue, statement.streaming(), tracked);
            if (session.nextTransactionSet()) {
                transaction.characteristicsOfItsOwn(); // the next transaction's are not the session's
            }
            Boolean sqlAutoCommit = session.takeAutoCommit();
            if (sqlAutoCommit != null) {
                transaction.autoCommit(sqlAutoCommit);
            }
        }
        if (reported && !explained) {
            session().unexplainedChange(sql);
        }
    }

    private ServerReports serverReports() {
        if (!serverReportsLookedUp) {
            serverReports = ServerReports.of(delegate, link.serverReports());
            serverReportsLookedUp = true;
        }
        return serverReports;
    }

    /** Whether the application made the connection read-only: then the server refuses every write. */
    boolean readOnlySession() {
        return session != null && session.readOnly();
    }

    /** Whether the session holds state a fresh link cannot be given: then it fails loudly instead of a swap. */
    private boolean sessionUnrestorable() {
        return session != null && session.unrestorable() != null;
    }

    /** The failure of every call on a Connection whose session could not be restored. */
    private SQLException sessionLost(SQLException cause) {
        SQLException lost = session.lostException(cause);
        return lastLoss == null ? lost : lastLoss.attachTo(lost);
    }

    /** Whether bound parameters must be kept, to re-bind them on a fresh link. */
    boolean retries() {
        return link.retrier().enabled();
    }

    /** Before a call: continues on a fresh link after a lost one, or refuses while a lost transaction is open. */
    void ensureLink() throws SQLException {
        if (state != OPEN) {
            relink();
        }
    }

    /**
     * Before a statement: as {@link #ensureLink()}, but a SQL {@code ROLLBACK} or {@code COMMIT} ends a
     * transaction lost with its link, as {@code rollback()} does: {@code ROLLBACK} then runs on a fresh link
     * (where it does nothing), {@code COMMIT} fails with 40000 (nothing was committed) and the connection
     * goes on.
     */
    void ensureLink(String sql) throws SQLException {
        if (state == TRANSACTION_LOST && !closed) {
            TransactionSql.Kind kind = TransactionSql.kind(sql);
            if (kind == TransactionSql.Kind.ROLLS_BACK || kind == TransactionSql.Kind.COMMITS) {
                SQLException lost = transactionLost();
                transaction.end();
                state = LOST; // the server rolled back when the link broke
                if (kind == TransactionSql.Kind.COMMITS) {
                    throw lost;
                }
            }
        }
        ensureLink();
    }

    private void relink() throws SQLException {
        if (closed) {
            throw new SQLNonTransientConnectionException("Connection is closed", "08003");
        }
        if (state == TRANSACTION_LOST) {
            throw transactionLost();
        }
        if (sessionUnrestorable()) {
            throw sessionLost(null);
        }
        adopt(link.connectWithRetries());
    }

    /** Continues on {@code fresh}: restores the session state and re-creates the open statements on it. */
    private void adopt(Connection fresh) throws SQLException {
        try {
            if (fresh.getAutoCommit() != transaction.autoCommit()) {
                fresh.setAutoCommit(transaction.autoCommit());
            }
            if (session != null) {
                session.restore(fresh);
            }
            for (GuardedStatement statement = openStatements; statement != null; statement = statement.nextOpen) {
                statement.reopen(fresh);
            }
        } catch (SQLException e) {
            link.evict(fresh);
            throw sessionUnrestorable() ? sessionLost(null) : e;
        }
        delegate = fresh;
        raisedNetWriteTimeout = 0;
        raisedNetReadTimeout = 0;
        serverReports = null;
        serverReportsLookedUp = false;
        state = OPEN;
        markGood();
    }

    /** The link is lost: the physical connection leaves for good; inside a transaction, so does the work. */
    private void lost(Diagnosis diagnosis) {
        lastLoss = diagnosis;
        if (state == OPEN) {
            link.evict(delegate);
        }
        state = transaction.atStake() ? TRANSACTION_LOST : LOST;
    }

    <T extends GuardedStatement> T register(T statement) {
        statement.nextOpen = openStatements;
        if (openStatements != null) {
            openStatements.previousOpen = statement;
        }
        openStatements = statement;
        return statement;
    }

    /** Forgets a closed statement; closing it again does nothing. */
    void unregister(GuardedStatement statement) {
        if (statement.previousOpen != null) {
            statement.previousOpen.nextOpen = statement.nextOpen;
        } else if (openStatements == statement) {
            openStatements = statement.nextOpen;
        } else {
            return;
        }
        if (statement.nextOpen != null) {
            statement.nextOpen.previousOpen = statement.previousOpen;
        }
        statement.previousOpen = null;
        statement.nextOpen = null;
    }

    SQLException failed(SQLException failure, Phase phase) {
        return failed(failure, phase, 0, false);
    }

    SQLException failed(SQLException failure, Phase phase, long payloadBytes, boolean streamedResult) {
        Diagnosis diagnosis = diagnose(failure, phase, payloadBytes, streamedResult);
        if (diagnosis == null) {
            return leftReadOnly(failure);
        }
        if (!RetryPolicy.linkSurvives(diagnosis, failure)) {
            lost(diagnosis);
        }
        link.handler().notRetried(diagnosis);
        return failure;
    }

    /**
     * A server that turned read-only (a primary demoted by a failover: errors 1290, 1836, 1792) keeps the
     * link but cannot take writes: HikariCP would hand the same connection out again, so it leaves for good
     * and the next call gets a fresh one.
     */
    private SQLException leftReadOnly(SQLException failure) {
        if (RetryPolicy.readOnlyServer(failure)) {
            lost(null);
        }
        return failure;
    }

    private Diagnosis diagnose(SQLException failure, Phase phase, long payloadBytes, boolean streamedResult) {
        long now = System.nanoTime();
        return link.handler().diagnose(failure, phase, TimeUnit.NANOSECONDS.toMillis(now - lastGoodNanos),
                TimeUnit.NANOSECONDS.toMillis(now - acquiredNanos), payloadBytes, streamedResult);
    }

    /** A statement's execution, run again on a fresh link. */
    @FunctionalInterface
    interface Execution<T> {
        T run() throws SQLException;
    }

    /**
     * The failure path of an execution: a lost link is diagnosed; a statement that is safe to run again
     * (in auto-commit mode a read, one declared idempotent or one known not to have run; the first statement
     * of a transaction, whatever it did rolled back with the link) is retried on fresh links with backoff;
     * a write whose outcome is unknown surfaces as SQLState 08007. A statement that may end the open
     * transaction (SQL COMMIT, DDL, BEGIN, a procedure, ...) ends it either way: whether it committed the
     * transaction's writes is unknown (08007), and the transaction is never replayed.
     *
     * @param sql the statement's text, to tell reads from writes (null: unknown, a write)
     * @param again runs the statement again on the current delegate, or null if it must not be retried
     */
    <T> T recover(SQLException failure, String sql, long payloadBytes, GuardedStatement statement, Execution<T> again)
            throws SQLException {
        Diagnosis first = diagnose(failure, Phase.EXECUTE, payloadBytes, false);
        if (first == null) {
            transaction.failed(sql);
            throw leftReadOnly(failure);
        }
        if (RetryPolicy.linkSurvives(first, failure)) {
            transaction.failed(sql);
            link.handler().notRetried(first);
            throw failure;
        }
        TransactionSql.Kind kind = TransactionSql.kind(sql);
        if (kind != TransactionSql.Kind.PLAIN && transaction.atStake()) {
            throwIfCommittedMaybe(kind, sql, first, failure);
        }
        // the server rolls back whatever the first statement of a transaction did (transactional tables)
        boolean firstOfTransaction = !transaction.autoCommit() && !transaction.atStake()
                && kind == TransactionSql.Kind.PLAIN && !SqlStatements.callsStoredFunction(sql);
        lost(first);
        boolean safe = firstOfTransaction || TransactionSql.harmlessAlone(kind) || SqlStatements.readOnly(sql)
                || SqlStatements.declaredIdempotent(sql) || RetryPolicy.knownNotRun(first.cause());
        boolean sessionLost = sessionUnrestorable();
        String whyNot = state != TRANSACTION_LOST ? null : again == null ? "the statement cannot run again"
                : !RetryPolicy.sendsAgain(first.cause()) ? "a " + first.cause().id() + " is not retried"
                : whyNotReplayable();
        boolean replay = state == TRANSACTION_LOST && whyNot == null;
        if (whyNot != null) {
            transaction.notReplayed(whyNot);
            link.handler().notReplayed(first, whyNot);
        }
        if (!replay && (state == TRANSACTION_LOST || again == null || !retries() || sessionLost
                || !RetryPolicy.retriesStatement(first.cause())
                || !link.retryRule().retry(first.cause(), sql, safe && RetryPolicy.sendsAgain(first.cause())))) {
            link.handler().notRetried(first);
            if (state == TRANSACTION_LOST) {
                throw failure;
            }
            if (!safe) {
                throw outcomeUnknown(failure, first, "the statement");
            }
            throw sessionLost ? sessionLost(failure) : failure;
        }
        // a lost write run again (after the replay, or as the first of a transaction) must not be able to have
        // written a table that no rollback undid: the server is asked on the fresh link
        boolean rerunsWrite = (replay || firstOfTransaction) && !RetryPolicy.knownNotRun(first.cause())
                && !statement.reads(sql);
        return onFreshLinks(first, failure, payloadBytes, () -> {
            if (rerunsWrite) {
                refuseIfNonTransactional(sql, first, failure, replay);
            }
            if (replay) {
                replayTransaction();
            }
            T result = again.run();
            ran(statement.touchesSession(sql), sql, statement, countOf(result));
            return result;
        });
    }

    /**
     * A statement that may end the open transaction (SQL COMMIT, BEGIN, DDL, CALL, a batch, ...) lost its link:
     * if the transaction wrote, whether the statement committed it first is unknown (08007). After a lost
     * COMMIT the transaction is over either way; after any other, the application must end it (40000 until
     * rollback()), so that it never goes on with half of it. If the transaction wrote nothing, it just ended.
     */
    private void throwIfCommittedMaybe(TransactionSql.Kind kind, String sql, Diagnosis first, SQLException failure)
            throws SQLException {
        if (kind == TransactionSql.Kind.ROLLS_BACK || !transaction.wrote()) {
            transaction.end();
            return;
        }
        String what = TransactionSql.firstWords(sql) + ", which may have committed the open transaction's writes first";
        if (kind == TransactionSql.Kind.COMMITS) {
            transaction.end();
        } else {
            transaction.notReplayed("the link was lost during " + what + ": what was committed is unknown");
        }
        lost(first);
        link.handler().notRetried(first);
        throw outcomeUnknown(failure, first, what + " or not,");
    }

    /**
     * Refuses to run a lost write again where the server has tables that no transaction rolls back: the write
     * may have reached one before its answer was lost. Its outcome is unknown (08007), and a transaction it
     * belonged to is lost (40000 until rollback()).
     */
    private void refuseIfNonTransactional(String sql, Diagnosis first, SQLException failure, boolean replay)
            throws SQLException {
        String reached = NonTransactionalTables.reachedBy(delegate, sql);
        if (reached == null) {
            return;
        }
        String why = "the lost statement (" + TransactionSql.firstWords(sql) + ") may have written a "
                + "non-transactional table before its answer was lost (" + reached + "), and running it again "
                + "could write it twice";
        if (replay) {
            transaction.notReplayed(why);
            link.handler().notReplayed(first, why);
        }
        lost(first); // the fresh link leaves too: the transaction, if any, is lost
        throw new Refused(outcomeUnknown(failure, first, "the statement (" + why + ")"));
    }

    /**
     * A recovery that must not go on on any link (a refused rerun, a replay that saw other data):
     * {@link #onFreshLinks} throws {@link #reason} as it is.
     */
    private static final class Refused extends SQLException {
        final SQLException reason;

        Refused(SQLException reason) {
            super(reason.getMessage(), reason.getSQLState(), reason);
            this.reason = reason;
        }
    }

    /**
     * Runs the lost transaction's statements again on the fresh link, or rolls it back with 40001. What the
     * replay must prove follows the isolation level the server reports for the restored session.
     */
    private void replayTransaction() throws SQLException {
        try {
            transaction.log().replay(delegate, Isolation.newerReadsAllowed(delegate));
        } catch (SQLTransactionRollbackException dataChanged) {
            transaction.end(); // rolled back on the fresh link: the application starts it again
            // final, on every link; it carries the loss it comes from, for the layer that may run the work again
            throw new Refused(lastLoss == null ? dataChanged : lastLoss.attachTo(dataChanged));
        }
    }

    /** What an execution returned, as {@link #ran} takes it. */
    private static long countOf(Object result) {
        if (result instanceof Integer || result instanceof Long) {
            return ((Number) result).longValue();
        }
        if (result instanceof Boolean) {
            return (Boolean) result ? GuardedStatement.RESULT : GuardedStatement.ASK;
        }
        return result instanceof int[] || result instanceof long[] ? GuardedStatement.BATCH : GuardedStatement.RESULT;
    }

    /**
     * The failure path of a call that sets up the session or the next transaction (auto-commit, read-only,
     * isolation, catalog, ...) when no work of a transaction is at stake: the call is made again on a fresh
     * link, where the session is restored first.
     *
     * @param ends whether the call ends the open transaction (setAutoCommit(true)): fine if it only read
     */
    private <T> T settle(SQLException failure, boolean ends, Execution<T> again) throws SQLException {
        Diagnosis first = diagnose(failure, Phase.EXECUTE, 0, false);
        if (first == null) {
            throw leftReadOnly(failure);
        }
        boolean nothingAtStake = !transaction.atStake() || ends && !transaction.wrote();
        if (nothingAtStake) {
            transaction.end(); // a transaction that only read ended when its link did
        }
        lost(first);
        if (!nothingAtStake || !retries() || sessionUnrestorable() || !RetryPolicy.retriesStatement(first.cause())) {
            link.handler().notRetried(first);
            throw sessionUnrestorable() ? sessionLost(failure) : failure;
        }
        return onFreshLinks(first, failure, 0, again);
    }

    /**
     * Runs {@code again} on fresh links (the session restored and the open statements re-created on each)
     * until it succeeds or the attempts or the time budget run out; a fresh link that is dead too is just
     * another attempt.
     */
    private <T> T onFreshLinks(Diagnosis first, SQLException failure, long payloadBytes, Execution<T> again)
            throws SQLException {
        link.retryBudget().sent(sent + 1); // what this connection sent so far, the failed statement included
        sent = 0;
        Retrier.Attempts attempts = link.retrier().start(System.nanoTime());
        SQLException last = failure;
        while (attempts.another(last)) {
            Connection fresh;
            long connectStart = System.nanoTime();
            try {
                fresh = liveLink();
            } catch (SQLException connectFailure) {
                Diagnosis diagnosis = link.handler().diagnoseConnect(connectFailure,
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - connectStart));
                if (diagnosis == null || !RetryPolicy.retriesConnect(diagnosis.cause())) {
                    link.handler().notRetried(first);
                    throw connectFailure;
                }
                last = connectFailure;
                continue;
            }
            try {
                adopt(fresh);
                if (!withinRetryBudget()) {
                    link.handler().refusedByBudget(first);
                    throw failure;
                }
                T result = again.run();
                markGood();
                attempts.succeeded();
                link.handler().recovered(first, attempts.retries(), attempts.elapsedNanos());
                return result;
            } catch (Refused refused) {
                link.handler().notRetried(first);
                throw refused.reason;
            } catch (SQLException retryFailure) {
                if (sessionUnrestorable()) {
                    link.handler().notRetried(first);
                    throw retryFailure; // restoring the session failed for good: it says so
                }
                Diagnosis diagnosis = diagnose(retryFailure, Phase.EXECUTE, payloadBytes, false);
                if (diagnosis == null) {
                    link.handler().notRetried(first);
                    throw retryFailure;
                }
                lost(diagnosis);
                if (!RetryPolicy.sendsAgain(diagnosis.cause())) { // a slow server gets no more copies either
                    link.handler().notRetried(first);
                    throw retryFailure;
                }
                last = retryFailure;
            }
        }
        link.handler().exhausted(first, attempts.retries());
        throw last;
    }

    /**
     * Before a streamed read: while a remedy asks for a longer {@code net_write_timeout} (a streamed result
     * outlived the server's), the session gets it, its own value kept to be put back when the connection goes
     * back to the pool.
     */
    void beforeStreaming() throws SQLException {
        try {
            raisedNetWriteTimeout = raise(SessionTimeout.NET_WRITE, raisedNetWriteTimeout);
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    /**
     * Before a large value is sent: while a remedy asks for a longer {@code net_read_timeout} (a large statement
     * outlived the server's), the session gets it, as {@link #beforeStreaming()} does. Called by the setter that
     * binds the value, which handles a failure as its own.
     */
    void beforeLargeSend() throws SQLException {
        raisedNetReadTimeout = raise(SessionTimeout.NET_READ, raisedNetReadTimeout);
    }

    /** Raises the session's {@code timeout} to what the remedies ask if it is lower; returns its value now. */
    private int raise(SessionTimeout timeout, int raised) throws SQLException {
        Remedies remedies = link.handler().remedies();
        int seconds = remedies.seconds(timeout);
        if (seconds <= raised) {
            return raised;
        }
        String variable = timeout.variable();
        try (Statement statement = delegate.createStatement()) {
            statement.execute((raised == 0 ? "SET @linkguard_" + variable + " = @@session." + variable + ", " : "SET ")
                    + "SESSION " + variable + " = " + seconds);
        }
        remedies.raised(timeout, seconds);
        return seconds;
    }

    /** Puts the session's own value of {@code timeout} back before the pool hands the connection to another. */
    private void restore(SessionTimeout timeout) throws SQLException {
        String variable = timeout.variable();
        try (Statement statement = delegate.createStatement()) {
            statement.execute("SET SESSION " + variable + " = @linkguard_" + variable + ", @linkguard_" + variable
                    + " = NULL");
        }
    }

    /** Takes this retry's statements (the statement, and a replayed transaction's) from the retry budget. */
    private boolean withinRetryBudget() {
        int statements = 1 + (state == TRANSACTION_LOST && transaction.log() != null ? transaction.log().steps() : 0);
        return link.retryBudget().tryRetry(statements);
    }

    /**
     * A fresh link that answers a ping. A pool hands out links it has not checked (HikariCP skips the check
     * for links used in the last 500 ms), and what broke one link often broke its siblings (a failover, a
     * watchdog killing sessions): a dead one leaves the pool for good without costing the operation one of
     * its attempts, up to {@value #MAX_DEAD_LINKS} in a row.
     */
    private Connection liveLink() throws SQLException {
        for (int dead = 0;; dead++) {
            Connection fresh = link.connect();
            if (dead == MAX_DEAD_LINKS || fresh.isValid(LIVENESS_SECONDS)) {
                return fresh;
            }
            link.evict(fresh);
        }
    }

    /**
     * The failure of every call while a transaction lost with its link waits for the application to end it:
     * 40000, saying why it was not replayed.
     */
    private SQLException transactionLost() {
        String why = transaction.notReplayedBecause();
        return new SQLTransactionRollbackException("LinkGuard: the link to the database was lost inside a "
                + "transaction and the server rolled the transaction back" + (why == null ? "" : " (not replayed: "
                + why + ")") + "; call rollback() (or run ROLLBACK) before using this connection again", "40000");
    }

    /** A lost link after a write or commit was sent: whether it was applied is unknown (SQLState 08007). */
    private static SQLException outcomeUnknown(SQLException failure, Diagnosis diagnosis, String what) {
        SQLException unknown = new SQLNonTransientConnectionException("LinkGuard: the link to the database was lost "
                + "after " + what + " was sent; whether the server applied it is unknown (transaction resolution "
                + "unknown). It was not retried: check before repeating it. " + diagnosis.summary(), "08007",
                failure);
        return diagnosis.attachTo(unknown);
    }

    @Override
    Wrapper delegate() {
        return delegate;
    }

    @Override
    public Statement createStatement() throws SQLException {
        if (state == TRANSACTION_LOST && !closed) {
            // no link until the application ends the lost transaction: the statement gets one if it runs ROLLBACK
            return register(GuardedStatement.of(this, null, null, (physical, text) -> physical.createStatement()));
        }
        ensureLink();
        try {
            return register(GuardedStatement.of(this, delegate.createStatement(), null, (physical, text) -> physical.createStatement()));
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public PreparedStatement prepareStatement(String sql) throws SQLException {
        ensureLink();
        try {
            return register(GuardedPreparedStatement.of(this, delegate.prepareStatement(sql), sql, (physical, text) -> physical.prepareStatement(text)));
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public CallableStatement prepareCall(String sql) throws SQLException {
        ensureLink();
        try {
            return register(GuardedCallableStatement.of(this, delegate.prepareCall(sql), sql, (physical, text) -> physical.prepareCall(text)));
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public String nativeSQL(String sql) throws SQLException {
        ensureLink();
        try {
            return delegate.nativeSQL(sql);
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public void setAutoCommit(boolean autoCommit) throws SQLException {
        ensureLink();
        try {
            delegate.setAutoCommit(autoCommit);
        } catch (SQLException e) {
            settle(e, autoCommit, () -> {
                delegate.setAutoCommit(autoCommit);
                return null;
            });
        }
        transaction.autoCommit(autoCommit);
        if (session != null) {
            session.autoCommit();
        }
    }

    @Override
    public boolean getAutoCommit() throws SQLException {
        if (state != OPEN) {
            return transaction.autoCommit(); // known without a link, also while a lost transaction waits for rollback()
        }
        try {
            return delegate.getAutoCommit();
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public void commit() throws SQLException {
        ensureLink();
        try {
            delegate.commit();
            markGood();
            transaction.end();
        } catch (SQLException e) {
            Diagnosis diagnosis = diagnose(e, Phase.COMMIT, 0, false);
            if (diagnosis == null) {
                throw e;
            }
            boolean wrote = transaction.wrote();
            lost(diagnosis);
            state = LOST; // the transaction is over, one way or the other
            transaction.end();
            if (!wrote) {
                link.handler().recovered(diagnosis, 0, 0); // it only read: there was nothing to commit
                return;
            }
            link.handler().notRetried(diagnosis);
            throw outcomeUnknown(e, diagnosis, "COMMIT");
        }
    }

    @Override
    public void rollback() throws SQLException {
        transaction.end();
        if (state != OPEN) {
            state = closed ? state : LOST; // the server rolled back when the link broke
            return;
        }
        try {
            delegate.rollback();
            markGood();
        } catch (SQLException e) {
            Diagnosis diagnosis = diagnose(e, Phase.ROLLBACK, 0, false);
            if (diagnosis == null) {
                throw e;
            }
            lost(diagnosis);
            state = LOST; // a transaction whose link breaks is rolled back by the server: the rollback happened
            link.handler().notRetried(diagnosis);
        }
    }

    @Override
    public void close() throws SQLException {
        if (closed) {
            return;
        }
        closed = true;
        link.retryBudget().sent(sent);
        if (state != OPEN) {
            return; // the physical connection was evicted when the link was lost
        }
        link.sessions().keep(delegate, session);
        try {
            if (raisedNetWriteTimeout > 0) {
                restore(SessionTimeout.NET_WRITE);
            }
            if (raisedNetReadTimeout > 0) {
                restore(SessionTimeout.NET_READ);
            }
            delegate.close();
        } catch (SQLException e) {
            Diagnosis diagnosis = diagnose(e, Phase.EXECUTE, 0, false);
            if (diagnosis == null) {
                throw leftReadOnly(e);
            }
            // the link broke as the application let go of it (the pool's reset of read-only or auto-commit failed):
            // the pool drops it, and what was not committed is rolled back, as closing would have done
            link.handler().recovered(diagnosis, 0, 0);
        }
    }

    @Override
    public boolean isClosed() throws SQLException {
        if (closed || state != OPEN) {
            return closed;
        }
        try {
            return delegate.isClosed();
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public DatabaseMetaData getMetaData() throws SQLException {
        ensureLink();
        try {
            return GuardedDatabaseMetaData.of(this, delegate.getMetaData());
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public void setReadOnly(boolean readOnly) throws SQLException {
        ensureLink();
        try {
            delegate.setReadOnly(readOnly);
        } catch (SQLException e) {
            settle(e, false, () -> {
                delegate.setReadOnly(readOnly);
                return null;
            });
        }
        session().readOnly(readOnly);
    }

    @Override
    public boolean isReadOnly() throws SQLException {
        ensureLink();
        try {
            return delegate.isReadOnly();
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public void setCatalog(String catalog) throws SQLException {
        ensureLink();
        try {
            delegate.setCatalog(catalog);
        } catch (SQLException e) {
            settle(e, false, () -> {
                delegate.setCatalog(catalog);
                return null;
            });
        }
        session().catalog(catalog);
    }

    @Override
    public String getCatalog() throws SQLException {
        ensureLink();
        try {
            return delegate.getCatalog();
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public void setTransactionIsolation(int level) throws SQLException {
        ensureLink();
        try {
            delegate.setTransactionIsolation(level);
        } catch (SQLException e) {
            settle(e, false, () -> {
                delegate.setTransactionIsolation(level);
                return null;
            });
        }
        session().isolation(level);
        if (transaction.atStake()) {
            transaction.characteristicsOfItsOwn(); // for the transactions after this one, not this one
        }
    }

    @Override
    public int getTransactionIsolation() throws SQLException {
        ensureLink();
        try {
            return delegate.getTransactionIsolation();
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public SQLWarning getWarnings() throws SQLException {
        ensureLink();
        try {
            return delegate.getWarnings();
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public void clearWarnings() throws SQLException {
        ensureLink();
        try {
            delegate.clearWarnings();
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public Statement createStatement(int resultSetType, int resultSetConcurrency) throws SQLException {
        ensureLink();
        try {
            return register(GuardedStatement.of(this, delegate.createStatement(resultSetType, resultSetConcurrency), null, (physical, text) -> physical.createStatement(resultSetType, resultSetConcurrency)));
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int resultSetType, int resultSetConcurrency) throws SQLException {
        ensureLink();
        try {
            return register(GuardedPreparedStatement.of(this, delegate.prepareStatement(sql, resultSetType, resultSetConcurrency), sql, (physical, text) -> physical.prepareStatement(text, resultSetType, resultSetConcurrency)));
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public CallableStatement prepareCall(String sql, int resultSetType, int resultSetConcurrency) throws SQLException {
        ensureLink();
        try {
            return register(GuardedCallableStatement.of(this, delegate.prepareCall(sql, resultSetType, resultSetConcurrency), sql, (physical, text) -> physical.prepareCall(text, resultSetType, resultSetConcurrency)));
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public java.util.Map<String,Class<?>> getTypeMap() throws SQLException {
        try {
            return delegate.getTypeMap();
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public void setTypeMap(java.util.Map<String,Class<?>> map) throws SQLException {
        ensureLink();
        try {
            delegate.setTypeMap(map);
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public void setHoldability(int holdability) throws SQLException {
        ensureLink();
        try {
            delegate.setHoldability(holdability);
            session().holdability(holdability);
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public int getHoldability() throws SQLException {
        ensureLink();
        try {
            return delegate.getHoldability();
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public Savepoint setSavepoint() throws SQLException {
        ensureLink();
        try {
            return savepointMade("SAVEPOINT", delegate.setSavepoint());
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public Savepoint setSavepoint(String name) throws SQLException {
        ensureLink();
        try {
            return savepointMade("SAVEPOINT", delegate.setSavepoint(name));
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public void rollback(Savepoint savepoint) throws SQLException {
        ensureLink();
        try {
            delegate.rollback(savepoint);
            markGood();
            savepointMade("ROLLBACK TO SAVEPOINT", savepoint);
        } catch (SQLException e) {
            throw failed(e, Phase.ROLLBACK);
        }
    }

    @Override
    public void releaseSavepoint(Savepoint savepoint) throws SQLException {
        ensureLink();
        try {
            delegate.releaseSavepoint(savepoint);
            savepointMade("RELEASE SAVEPOINT", savepoint);
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public Statement createStatement(int resultSetType, int resultSetConcurrency, int resultSetHoldability) throws SQLException {
        ensureLink();
        try {
            return register(GuardedStatement.of(this, delegate.createStatement(resultSetType, resultSetConcurrency, resultSetHoldability), null, (physical, text) -> physical.createStatement(resultSetType, resultSetConcurrency, resultSetHoldability)));
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int resultSetType, int resultSetConcurrency, int resultSetHoldability) throws SQLException {
        ensureLink();
        try {
            return register(GuardedPreparedStatement.of(this, delegate.prepareStatement(sql, resultSetType, resultSetConcurrency, resultSetHoldability), sql, (physical, text) -> physical.prepareStatement(text, resultSetType, resultSetConcurrency, resultSetHoldability)));
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public CallableStatement prepareCall(String sql, int resultSetType, int resultSetConcurrency, int resultSetHoldability) throws SQLException {
        ensureLink();
        try {
            return register(GuardedCallableStatement.of(this, delegate.prepareCall(sql, resultSetType, resultSetConcurrency, resultSetHoldability), sql, (physical, text) -> physical.prepareCall(text, resultSetType, resultSetConcurrency, resultSetHoldability)));
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int autoGeneratedKeys) throws SQLException {
        ensureLink();
        try {
            return register(GuardedPreparedStatement.of(this, delegate.prepareStatement(sql, autoGeneratedKeys), sql, (physical, text) -> physical.prepareStatement(text, autoGeneratedKeys)));
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int[] columnIndexes) throws SQLException {
        ensureLink();
        try {
            return register(GuardedPreparedStatement.of(this, delegate.prepareStatement(sql, columnIndexes), sql, (physical, text) -> physical.prepareStatement(text, columnIndexes)));
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public PreparedStatement prepareStatement(String sql, String[] columnNames) throws SQLException {
        ensureLink();
        try {
            return register(GuardedPreparedStatement.of(this, delegate.prepareStatement(sql, columnNames), sql, (physical, text) -> physical.prepareStatement(text, columnNames)));
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public Clob createClob() throws SQLException {
        ensureLink();
        try {
            return delegate.createClob();
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public Blob createBlob() throws SQLException {
        ensureLink();
        try {
            return delegate.createBlob();
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public NClob createNClob() throws SQLException {
        ensureLink();
        try {
            return delegate.createNClob();
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public SQLXML createSQLXML() throws SQLException {
        ensureLink();
        try {
            return delegate.createSQLXML();
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public boolean isValid(int timeout) throws SQLException {
        if (state != OPEN) {
            try {
                relink();
            } catch (SQLException e) {
                return false;
            }
        }
        try {
            return delegate.isValid(timeout);
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public void setClientInfo(String name, String value) throws SQLClientInfoException {
        delegate.setClientInfo(name, value);
    }

    @Override
    public void setClientInfo(Properties properties) throws SQLClientInfoException {
        delegate.setClientInfo(properties);
    }

    @Override
    public String getClientInfo(String name) throws SQLException {
        ensureLink();
        try {
            return delegate.getClientInfo(name);
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public Properties getClientInfo() throws SQLException {
        ensureLink();
        try {
            return delegate.getClientInfo();
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public Array createArrayOf(String typeName, Object[] elements) throws SQLException {
        ensureLink();
        try {
            return delegate.createArrayOf(typeName, elements);
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public Struct createStruct(String typeName, Object[] attributes) throws SQLException {
        ensureLink();
        try {
            return delegate.createStruct(typeName, attributes);
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public void setSchema(String schema) throws SQLException {
        ensureLink();
        try {
            delegate.setSchema(schema);
        } catch (SQLException e) {
            settle(e, false, () -> {
                delegate.setSchema(schema);
                return null;
            });
        }
        session().schema(schema);
    }

    @Override
    public String getSchema() throws SQLException {
        ensureLink();
        try {
            return delegate.getSchema();
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public void abort(Executor executor) throws SQLException {
        try {
            delegate.abort(executor);
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public void setNetworkTimeout(Executor executor, int milliseconds) throws SQLException {
        ensureLink();
        try {
            delegate.setNetworkTimeout(executor, milliseconds);
            session().networkTimeout(executor, milliseconds);
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public int getNetworkTimeout() throws SQLException {
        ensureLink();
        try {
            return delegate.getNetworkTimeout();
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public void beginRequest() throws SQLException {
        ensureLink();
        try {
            delegate.beginRequest();
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public void endRequest() throws SQLException {
        ensureLink();
        try {
            delegate.endRequest();
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public boolean setShardingKeyIfValid(ShardingKey shardingKey, ShardingKey superShardingKey, int timeout) throws SQLException {
        ensureLink();
        try {
            return delegate.setShardingKeyIfValid(shardingKey, superShardingKey, timeout);
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public boolean setShardingKeyIfValid(ShardingKey shardingKey, int timeout) throws SQLException {
        ensureLink();
        try {
            return delegate.setShardingKeyIfValid(shardingKey, timeout);
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public void setShardingKey(ShardingKey shardingKey, ShardingKey superShardingKey) throws SQLException {
        ensureLink();
        try {
            delegate.setShardingKey(shardingKey, superShardingKey);
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    @Override
    public void setShardingKey(ShardingKey shardingKey) throws SQLException {
        ensureLink();
        try {
            delegate.setShardingKey(shardingKey);
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }
}
