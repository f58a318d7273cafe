package io.github.linkguard.internal.recovery;

import io.github.linkguard.Cause;
import io.github.linkguard.Diagnosis;
import io.github.linkguard.Phase;
import io.github.linkguard.internal.CoarseClock;
import io.github.linkguard.internal.LinkSource;
import io.github.linkguard.internal.LostLinkHandler;
import io.github.linkguard.internal.commit.CommitOutcomes;
import io.github.linkguard.internal.recovery.Failures.Refused;
import io.github.linkguard.internal.remedy.Remedies.SessionTimeout;
import io.github.linkguard.internal.remedy.SessionTimeouts;
import io.github.linkguard.internal.replay.ReadLog;
import io.github.linkguard.internal.replay.TransactionLog;
import io.github.linkguard.internal.retry.Retrier;
import io.github.linkguard.internal.retry.RetryPolicy;
import io.github.linkguard.internal.retry.SqlStatements;
import io.github.linkguard.internal.session.ServerReports;
import io.github.linkguard.internal.session.SessionSql;
import io.github.linkguard.internal.session.SessionState;
import io.github.linkguard.internal.topology.WriterMovedException;
import io.github.linkguard.internal.transaction.CausalReads;
import io.github.linkguard.internal.transaction.Isolation;
import io.github.linkguard.internal.transaction.NonTransactionalTables;
import io.github.linkguard.internal.transaction.Transaction;
import io.github.linkguard.internal.transaction.TransactionSql;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransactionRollbackException;
import java.sql.Savepoint;
import java.util.concurrent.TimeUnit;

/**
 * One application connection's link to the server, and its recovery: the physical connection it runs on
 * now, whether that link works, and what happens when it is lost. Every failure of a JDBC call comes here
 * with its phase; a lost link is diagnosed ({@link LostLinkHandler}), the broken physical connection evicted,
 * and the next call continues on a fresh one with the session restored ({@code internal.session}: or, where it
 * cannot be, every call fails with SQLState {@code 08003}) and the open statements re-created. Statements that
 * are safe to run again are retried on the fresh link, as are the first statement of a transaction and the
 * calls that begin one; a write whose outcome is unknown surfaces as SQLState {@code 08007}; a transaction
 * lost after its first statement is replayed ({@code internal.replay}) where the replay can prove it, else
 * every call fails until {@code rollback()}. This is the one place that decides retry, replay or surface, and
 * reports each lost link once. Not thread-safe, like the connection it serves.
 */
public final class Link {

    /** Re-creates the application's open statements on a fresh physical connection. */
    @FunctionalInterface
    public interface Statements {
        void reopenAll(Connection fresh) throws SQLException;
    }

    /** A statement's execution (or a call), run again on a fresh link. */
    @FunctionalInterface
    public interface Execution<T> {
        T run() throws SQLException;
    }

    /** The link works. */
    private static final int OPEN = 0;
    /** The link was lost outside a transaction: the next call gets a fresh one. */
    private static final int LOST = 1;
    /** The link was lost inside a transaction: the work is gone, calls fail until rollback(). */
    private static final int TRANSACTION_LOST = 2;
    /** The most dead links from the pool a recovery passes over before it counts one as an attempt. */
    private static final int MAX_DEAD_LINKS = 16;
    /** The server's "Deadlock found": the whole transaction was rolled back. */
    private static final int DEADLOCK = 1213;
    /** How often a transaction rolled back at its COMMIT runs again before the refusal reaches the application. */
    private static final int COMMIT_REPLAYS = 3;
    /** How long a fresh link in a recovery may take to answer its ping. */
    private static final int LIVENESS_SECONDS = 2;

    private final LinkSource source;
    private final Statements statements;
    private Connection physical;
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
    /** Statements sent since they were last added to the retry budget. */
    private int sent;
    /** The transfer timeouts a remedy gave the current link's session; null if none. */
    private SessionTimeouts raisedTimeouts;
    /** The marker written for the SQL {@code COMMIT} about to run; null otherwise. */
    private CommitOutcomes.Mark sqlCommitMark;
    /** Whether writes in auto-commit mode run as transactions of their own with a marker (the DataSource's choice). */
    private final boolean autoCommitWrites;
    /** A write in auto-commit mode runs now as a transaction of its own ({@link #beginAutoCommitWrite}). */
    private boolean autoCommitWrite;

    /**
     * @param source where fresh links come from after a lost one
     * @param physical the pool's connection
     * @param acquiredNanos {@link CoarseClock#nanos()} when the application asked for the connection
     * @param statements re-creates the open statements on a fresh link
     */
    public Link(LinkSource source, Connection physical, long acquiredNanos, Statements statements) throws SQLException {
        this.source = source;
        this.physical = physical;
        this.acquiredNanos = acquiredNanos;
        this.lastGoodNanos = acquiredNanos;
        this.statements = statements;
        this.transaction = new Transaction(source.autoCommitOf(physical), source.replaysTransactions(),
                source.transactionLogs());
        this.session = source.sessions().take(physical);
        this.autoCommitWrites = source.commitOutcomes().autoCommitWrites();
    }

    /** The physical connection the link runs on now. */
    public Connection physical() {
        return physical;
    }

    /** The open transaction's state (auto-commit mode, what it did). */
    public Transaction transaction() {
        return transaction;
    }

    /** What the session holds beyond a fresh link's defaults, made on first use. */
    public SessionState session() {
        if (session == null) {
            session = new SessionState();
        }
        return session;
    }

    /** The application set the auto-commit mode: the transaction and the session follow it. */
    public void autoCommitSet(boolean autoCommit) {
        transaction.autoCommit(autoCommit);
        if (session != null) {
            session.autoCommit();
        }
    }

    /** The link just answered: remember when. */
    public void markGood() {
        lastGoodNanos = CoarseClock.nanos();
    }

    /** Whether the link works now (not lost, not closed). */
    public boolean open() {
        return state == OPEN;
    }

    /**
     * Whether the link is lost and the connection still open: calls that only read or clear what the lost link
     * held (its warnings, see GenerateDelegates) answer without a fresh one, and never fail for a lost
     * transaction that waits for rollback().
     */
    public boolean lostButNotClosed() {
        return state != OPEN && !closed;
    }

    /**
     * Whether the link is lost with nothing of a transaction waiting (the connection open): the next call that
     * needs the server gets a fresh link, the session restored on it.
     */
    public boolean awaitsFreshLink() {
        return state == LOST && !closed;
    }

    /** Whether a transaction lost with its link waits for the application to end it. */
    public boolean transactionLost() {
        return state == TRANSACTION_LOST && !closed;
    }

    /** Whether bound parameters must be kept, to re-bind them on a fresh link. */
    public boolean retries() {
        return source.retrier().enabled();
    }

    /** Whether the application made the connection read-only: then the server refuses every write. */
    public boolean readOnlySession() {
        return session != null && session.readOnly();
    }

    // ---- before a call: the link, fresh after a lost one

    /** Before a call: continues on a fresh link after a lost one, or refuses while a lost transaction is open. */
    public void ensureLink() throws SQLException {
        if (state != OPEN) {
            relink();
        }
    }

    /**
     * Before {@code statement} runs {@code sql}: as {@link #ensureLinkToQueue}; a SQL {@code COMMIT} of a
     * transaction that wrote gets its marker first, so that its outcome can be learned if the link is lost
     * ({@link #commit()}); and where auto-commit writes are resolved, a write in auto-commit mode begins a
     * transaction of its own ({@link #beginAutoCommitWrite}).
     */
    public void ensureLink(String sql, Recoverable statement) throws SQLException {
        ensureLinkToQueue(sql);
        if (transaction.wrote() && statement.transactionKind(sql) == TransactionSql.Kind.COMMITS) {
            markSqlCommit();
        }
        beginIfAutoCommitWrite(sql, statement);
    }

    private void beginIfAutoCommitWrite(String sql, Recoverable statement) throws SQLException {
        // not in a transaction the application's SQL began in auto-commit mode: its writes are its own
        if (autoCommitWrites && transaction.autoCommit() && !transaction.atStake() && statement.changesData(sql)) {
            beginAutoCommitWrite();
        }
    }

    /**
     * A write in auto-commit mode runs as a transaction of its own, committed with its marker as soon as it ran
     * ({@link #ran}): lost before it committed, it runs again as the first statement of its transaction; its
     * COMMIT lost, the marker tells ({@link #commit()}). Auto-commit goes back on after it, whatever happened.
     */
    private void beginAutoCommitWrite() throws SQLException {
        if (source.commitOutcomes().unavailable() != null) {
            return; // outcomes cannot be learned here: the write goes as it is
        }
        try {
            physical.setAutoCommit(false);
        } catch (SQLException lost) { // nothing of the write was sent: on a fresh link, in auto-commit mode
            settle(lost, false, () -> {
                physical.setAutoCommit(false);
                return null;
            });
        }
        transaction.autoCommit(false);
        autoCommitWrite = true;
    }

    /** The auto-commit write ran: it commits now, then auto-commit goes back on. */
    private void commitAutoCommitWrite() throws SQLException {
        autoCommitWrite = false;
        try {
            commit();
        } catch (SQLException e) {
            throw new Refused(e); // the write's own outcome: never recovered as a lost link of its own
        } finally {
            endAutoCommitWrite();
        }
    }

    /** Auto-commit back on after an auto-commit write, on the link if it is up (else the next link is made so). */
    private void endAutoCommitWrite() {
        autoCommitWrite = false;
        transaction.autoCommit(true);
        if (state != OPEN) {
            return;
        }
        try {
            physical.setAutoCommit(true);
        } catch (SQLException e) {
            Diagnosis diagnosis = diagnose(e, Phase.EXECUTE, 0, false);
            if (diagnosis != null) {
                lost(diagnosis); // the write is settled; the next call goes on a fresh link, in auto-commit mode
            }
        }
    }

    /**
     * Before a statement is queued or runs: as {@link #ensureLink()}, but a SQL {@code ROLLBACK} or {@code COMMIT}
     * ends a transaction lost with its link, as {@code rollback()} does: {@code ROLLBACK} then runs on a fresh
     * link (where it does nothing), {@code COMMIT} fails with 40000 (nothing was committed) and the connection
     * goes on.
     */
    public void ensureLinkToQueue(String sql) throws SQLException {
        if (transactionLost()) {
            TransactionSql.Kind kind = TransactionSql.kind(sql);
            if (kind == TransactionSql.Kind.ROLLS_BACK || kind == TransactionSql.Kind.COMMITS) {
                SQLException lost = Failures.transactionLost(transaction.notReplayedBecause());
                transaction.end();
                state = LOST; // the server rolled back when the link broke
                if (kind == TransactionSql.Kind.COMMITS) {
                    throw lost;
                }
            }
        }
        ensureLink();
    }

    /** Whether the connection can answer: a lost link is replaced first (false if that fails). */
    public boolean relinked() {
        if (state != OPEN) {
            try {
                relink();
            } catch (SQLException e) {
                return false;
            }
        }
        return true;
    }

    private void relink() throws SQLException {
        if (closed) {
            throw Failures.closed();
        }
        if (state == TRANSACTION_LOST) {
            throw Failures.transactionLost(transaction.notReplayedBecause());
        }
        if (sessionUnrestorable()) {
            throw sessionLost(null);
        }
        adopt(source.connectWithRetries());
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
            statements.reopenAll(fresh);
        } catch (SQLException e) {
            source.evict(fresh);
            throw sessionUnrestorable() ? sessionLost(null) : e;
        }
        physical = fresh;
        raisedTimeouts = null;
        serverReports = null;
        serverReportsLookedUp = false;
        state = OPEN;
        markGood();
    }

    /** The link is lost: the physical connection leaves for good; inside a transaction, so does the work. */
    private void lost(Diagnosis diagnosis) {
        lastLoss = diagnosis;
        if (state == OPEN) {
            if (diagnosis != null && diagnosis.cause() == Cause.FAILOVER) {
                source.leftWriter(physical); // a Galera node not ready, a demoted primary: learn the writer again
            }
            source.evict(physical);
        }
        state = transaction.atStake() ? TRANSACTION_LOST : LOST;
    }

    // ---- after a statement ran: what it did, for the transaction's replay and the session

    /**
     * A statement ran on the link: the link is good, and what the statement did to the session is noted
     * (only when its text may change the session, a session setting exists, or the server reports changes).
     *
     * @param touchesSession {@link SessionSql#touchesSession} of {@code sql}
     * @param updateCount what the execution returned: an update count, or {@link Recoverable#RESULT},
     *        {@link Recoverable#ASK}, {@link Recoverable#BATCH}
     */
    public void ran(boolean touchesSession, String sql, Recoverable statement, long updateCount) throws SQLException {
        lastGoodNanos = CoarseClock.nanos();
        sent++;
        sqlCommitMark = null;
        statement.keptAs(-1, null);
        if (transaction.ran(sql, serverReports(), statement) && transaction.log() != null) {
            keepForReplay(touchesSession, sql, statement, updateCount);
        }
        if (touchesSession || session != null || source.serverReports().sessionChanges()) {
            noteSession(touchesSession, sql, statement);
        }
        if (autoCommitWrite) {
            commitAutoCommitWrite();
        }
    }

    /** Keeps a statement of the open transaction for its replay, or says why the transaction cannot be replayed. */
    private void keepForReplay(boolean touchesSession, String sql, Recoverable statement, long updateCount) {
        TransactionLog log = transaction.log();
        if (log.whyNot() != null) {
            return;
        }
        if (touchesSession) {
            log.notReplayable("it changed the session");
            return;
        }
        if (updateCount == Recoverable.BATCH) {
            keepBatch(log, sql, statement);
            return;
        }
        TransactionLog.Step step = statement.step(); // copies the bound parameters: only for what is kept
        if (step == null) {
            log.notReplayable(statement.whyNotReplayable());
            return;
        }
        boolean plain = statement.sql() == null;
        long size = (sql == null ? 0 : sql.length()) + statement.payloadBytes();
        if (updateCount == Recoverable.RESULT) {
            statement.keptAs(-1, log.addQuery(step, sql, plain, size));
            return;
        }
        try {
            long count = updateCount == Recoverable.ASK ? statement.updateCount() : updateCount;
            statement.keptAs(log.add(step, sql, plain, count, size), null);
        } catch (SQLException e) {
            log.notReplayable("its update count could not be read");
        }
    }

    /**
     * The application reads the generated keys of {@code statement}'s last execution: where the reads go while
     * the open transaction is kept for its replay, else null.
     */
    public ReadLog keysRead(Recoverable statement) {
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
    public Savepoint savepointMade(String command, Savepoint savepoint) throws SQLException {
        if (transaction.savepoint() && transaction.log() != null) {
            String sql = command + " `" + savepoint.getSavepointName().replace("`", "``") + "`";
            transaction.log().add(Connection::createStatement, sql, true, 0, sql.length());
        }
        return savepoint;
    }

    private void noteSession(boolean touchesSession, String sql, Recoverable statement) throws SQLException {
        if (session != null) {
            session.statementRan();
        }
        ServerReports reports = serverReports();
        boolean tracked = reports != null && reports.sessionChanges();
        boolean reported = tracked && reports.changed(); // before any read-back replaces the report
        boolean explained = false;
        if (touchesSession) {
            explained = session().record(sql, physical, statement::boundValue, statement.streaming(), tracked);
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
            serverReports = ServerReports.of(physical, source.serverReports());
            serverReportsLookedUp = true;
        }
        return serverReports;
    }

    // ---- a failure: diagnosed, and surfaced, retried or replayed

    /** A call failed: a lost link is diagnosed and the link left; the failure is returned to be thrown. */
    public SQLException failed(SQLException failure, Phase phase) {
        return failed(failure, phase, 0, false);
    }

    /** As {@link #failed(SQLException, Phase)}, with what the call sent and whether it read a streamed result. */
    public SQLException failed(SQLException failure, Phase phase, long payloadBytes, boolean streamedResult) {
        Diagnosis diagnosis = diagnose(failure, phase, payloadBytes, streamedResult);
        if (diagnosis == null) {
            return leftReadOnly(failure);
        }
        if (!RetryPolicy.linkSurvives(diagnosis, failure)) {
            lost(diagnosis);
        }
        source.handler().notRetried(diagnosis);
        return failure;
    }

    /**
     * The diagnosis of an execution's or a COMMIT's failure as a lost link: the link itself lost, or the writer
     * moved away from it ({@link #writerMoved}); null if the server refused the statement on a live link.
     */
    private Diagnosis diagnoseLoss(SQLException failure, Phase phase, long payloadBytes) {
        Diagnosis lostLink = diagnose(failure, phase, payloadBytes, false);
        return lostLink != null ? lostLink : writerMoved(failure, phase);
    }

    /**
     * A write refused as read-only where the writer is followed (a multi-host URL): the server was demoted (a
     * switchover, a failover) and the write did not run. Diagnosed as a failover, the link to the writer being
     * what was lost, so that the write (and its transaction, replayed first) moves to the writer learned again
     * (when the link is given up: {@link #lost}); null for any other failure, or for a session the application
     * made read-only.
     */
    private Diagnosis writerMoved(SQLException failure, Phase phase) {
        if (readOnlySession() || !RetryPolicy.readOnlyServer(failure) || !source.followsWriter()) {
            return null;
        }
        Diagnosis diagnosis = diagnose(new WriterMovedException(failure), phase, 0, false);
        if (diagnosis != null) {
            diagnosis.attachTo(failure); // the application's exception, if it gets one, says why
        }
        return diagnosis;
    }

    /**
     * A server that turned read-only (a primary demoted by a failover: errors 1290, 1836) keeps the
     * link but cannot take writes: HikariCP would hand the same connection out again, so it leaves for good
     * and the next call gets a fresh one (with a multi-host URL, to the writer learned again).
     */
    private SQLException leftReadOnly(SQLException failure) {
        if (RetryPolicy.readOnlyServer(failure)) {
            source.leftWriter(physical);
            lost(null);
        }
        return failure;
    }

    private Diagnosis diagnose(SQLException failure, Phase phase, long payloadBytes, boolean streamedResult) {
        long now = System.nanoTime();
        return source.handler().diagnose(failure, phase, TimeUnit.NANOSECONDS.toMillis(now - lastGoodNanos),
                TimeUnit.NANOSECONDS.toMillis(now - acquiredNanos), payloadBytes, streamedResult);
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
     * @param again runs the statement again on the statement's current delegate, or null if it must not be
     *        retried
     */
    public <T> T recover(SQLException failure, String sql, long payloadBytes, Recoverable statement, Execution<T> again)
            throws SQLException {
        if (failure instanceof Refused refused) {
            throw refused.reason; // an auto-commit write's own outcome, settled already
        }
        if (!autoCommitWrite) {
            return recoverExecution(failure, sql, payloadBytes, statement, again);
        }
        try { // an auto-commit write, lost or failed inside its own transaction
            return recoverExecution(failure, sql, payloadBytes, statement, again);
        } finally {
            if (autoCommitWrite) {
                endAutoCommitWrite(); // it did not run again: auto-commit goes back on, here or on the next link
            }
        }
    }

    private <T> T recoverExecution(SQLException failure, String sql, long payloadBytes, Recoverable statement,
            Execution<T> again) throws SQLException {
        CommitOutcomes.Mark commitMark = sqlCommitMark;
        sqlCommitMark = null;
        Diagnosis first = diagnoseLoss(failure, Phase.EXECUTE, payloadBytes);
        if (first == null) {
            transaction.failed(sql);
            throw leftReadOnly(failure);
        }
        if (RetryPolicy.linkSurvives(first, failure)) {
            transaction.failed(sql);
            source.handler().notRetried(first);
            throw failure;
        }
        TransactionSql.Kind kind = TransactionSql.kind(sql);
        if (kind == TransactionSql.Kind.COMMITS && commitMark != null && transaction.atStake()) {
            resolveLostCommit(failure, first, commitMark);
            return runAgain(sql, payloadBytes, statement, again); // on the fresh link, where it ends nothing
        }
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
            source.handler().notReplayed(first, whyNot);
        }
        if (!replay && (state == TRANSACTION_LOST || again == null || !retries() || sessionLost
                || !RetryPolicy.retriesStatement(first.cause())
                || !source.retryRule().retry(first.cause(), sql, safe && RetryPolicy.sendsAgain(first.cause())))) {
            source.handler().notRetried(first);
            if (state == TRANSACTION_LOST) {
                throw failure;
            }
            if (!safe) {
                throw Failures.outcomeUnknown(failure, first, "the statement");
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
            return runNoted(sql, statement, again);
        });
    }

    /** A statement whose work is done, run again for its result; a lost link then is recovered as any other. */
    private <T> T runAgain(String sql, long payloadBytes, Recoverable statement, Execution<T> again)
            throws SQLException {
        try {
            return runNoted(sql, statement, again);
        } catch (SQLException e) {
            return recover(e, sql, payloadBytes, statement, again);
        }
    }

    /** Runs {@code again} and tells the link what ran, as a first run does (a batch tells it itself). */
    private <T> T runNoted(String sql, Recoverable statement, Execution<T> again) throws SQLException {
        T result = again.run();
        long count = countOf(result);
        if (count != Recoverable.BATCH) {
            ran(statement.touchesSession(sql), sql, statement, count);
        }
        return result;
    }

    /** Why the open transaction, lost with its link, cannot run again on a fresh one with proof; null if it can. */
    private String whyNotReplayable() {
        if (!source.replaysTransactions()) {
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
        source.handler().notRetried(first);
        throw Failures.outcomeUnknown(failure, first, what + " or not,");
    }

    /**
     * Refuses to run a lost write again where the server has tables that no transaction rolls back: the write
     * may have reached one before its answer was lost. Its outcome is unknown (08007), and a transaction it
     * belonged to is lost (40000 until rollback()).
     */
    private void refuseIfNonTransactional(String sql, Diagnosis first, SQLException failure, boolean replay)
            throws SQLException {
        String reached = NonTransactionalTables.reachedBy(physical, sql);
        if (reached == null) {
            return;
        }
        String why = "the lost statement (" + TransactionSql.firstWords(sql) + ") may have written a "
                + "non-transactional table before its answer was lost (" + reached + "), and running it again "
                + "could write it twice";
        if (replay) {
            transaction.notReplayed(why);
            source.handler().notReplayed(first, why);
        }
        lost(first); // the fresh link leaves too: the transaction, if any, is lost
        throw new Refused(Failures.outcomeUnknown(failure, first, "the statement (" + why + ")"));
    }

    /**
     * Runs the lost transaction's statements again on the fresh link, or rolls it back with 40001. What the
     * replay must prove follows the isolation level the server reports for the restored session.
     */
    private void replayTransaction() throws SQLException {
        replayTransaction(false);
    }

    /**
     * As {@link #replayTransaction()}; {@code begun}: the fresh link's transaction is open already. On a Galera
     * node the replay reads causally ({@link CausalReads}): what another node committed first is seen.
     */
    private void replayTransaction(boolean begun) throws SQLException {
        String syncWait = CausalReads.on(physical);
        try {
            transaction.log().replay(physical, Isolation.newerReadsAllowed(physical), begun);
            CausalReads.restore(physical, syncWait);
            source.handler().replayed(true);
        } catch (SQLTransactionRollbackException dataChanged) {
            CausalReads.restore(physical, syncWait);
            source.handler().replayed(false);
            transaction.end(); // rolled back on the fresh link: the application starts it again
            // final, on every link; it carries the loss it comes from, for the layer that may run the work again
            throw new Refused(lastLoss == null ? dataChanged : lastLoss.attachTo(dataChanged));
        }
    }

    /** Keeps a batch of the open transaction for its replay, with the update count of each of its statements. */
    private static void keepBatch(TransactionLog log, String sql, Recoverable statement) {
        TransactionLog.Batch batch = statement.batch();
        if (batch == null) {
            String why = statement.whyNotReplayable();
            log.notReplayable(why != null ? why : "it ran a batch that cannot be queued again (a statement in it may "
                    + "end or begin a transaction, a stream was bound, or retries are off)");
            return;
        }
        log.addBatch(batch, sql, (sql == null ? 0 : sql.length()) + batch.size());
    }

    /** What an execution returned, as {@link #ran} takes it. */
    private static long countOf(Object result) {
        if (result instanceof Integer || result instanceof Long) {
            return ((Number) result).longValue();
        }
        if (result instanceof Boolean) {
            return (Boolean) result ? Recoverable.RESULT : Recoverable.ASK;
        }
        return result instanceof int[] || result instanceof long[] ? Recoverable.BATCH : Recoverable.RESULT;
    }

    /**
     * The failure path of a call that sets up the session or the next transaction (auto-commit, read-only,
     * isolation, catalog, ...) when no work of a transaction is at stake: the call is made again on a fresh
     * link, where the session is restored first.
     *
     * @param ends whether the call ends the open transaction (setAutoCommit(true)): fine if it only read
     */
    public <T> T settle(SQLException failure, boolean ends, Execution<T> again) throws SQLException {
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
            source.handler().notRetried(first);
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
        return onFreshLinks(first, failure, payloadBytes, source.retrier().start(System.nanoTime()), again);
    }

    private <T> T onFreshLinks(Diagnosis first, SQLException failure, long payloadBytes, Retrier.Attempts attempts,
            Execution<T> again) throws SQLException {
        source.retryBudget().sent(sent + 1); // what this connection sent so far, the failed statement included
        sent = 0;
        SQLException last = failure;
        while (attempts.another(last)) {
            Connection fresh;
            long connectStart = System.nanoTime();
            try {
                fresh = liveLink();
            } catch (SQLException connectFailure) {
                Diagnosis diagnosis = source.handler().diagnoseConnect(connectFailure,
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - connectStart));
                if (diagnosis == null || !RetryPolicy.retriesConnect(diagnosis.cause())) {
                    source.handler().notRetried(first);
                    throw connectFailure;
                }
                last = connectFailure;
                continue;
            }
            try {
                adopt(fresh);
                if (!withinRetryBudget()) {
                    source.handler().refusedByBudget(first);
                    throw failure;
                }
                T result = again.run();
                markGood();
                attempts.succeeded();
                source.handler().recovered(first, attempts.retries(), attempts.elapsedNanos());
                return result;
            } catch (Refused refused) {
                source.handler().notRetried(first);
                throw refused.reason;
            } catch (SQLException retryFailure) {
                if (sessionUnrestorable()) {
                    source.handler().notRetried(first);
                    throw retryFailure; // restoring the session failed for good: it says so
                }
                // a fresh link made as the writer moved may be to the demoted server: another attempt
                Diagnosis diagnosis = diagnoseLoss(retryFailure, Phase.EXECUTE, payloadBytes);
                if (diagnosis == null) {
                    source.handler().notRetried(first);
                    throw retryFailure;
                }
                lost(diagnosis);
                if (!RetryPolicy.sendsAgain(diagnosis.cause())) { // a slow server gets no more copies either
                    source.handler().notRetried(first);
                    throw retryFailure;
                }
                last = retryFailure;
            }
        }
        source.handler().exhausted(first, attempts.retries());
        throw last;
    }

    /** Takes this retry's statements (the statement, and a replayed transaction's) from the retry budget. */
    private boolean withinRetryBudget() {
        int statements = 1 + (state == TRANSACTION_LOST && transaction.log() != null ? transaction.log().steps() : 0);
        return source.retryBudget().tryRetry(statements);
    }

    /**
     * A fresh link that answers a ping. A pool hands out links it has not checked (HikariCP skips the check
     * for links used in the last 500 ms), and what broke one link often broke its siblings (a failover, a
     * watchdog killing sessions): a dead one leaves the pool for good without costing the operation one of
     * its attempts, up to {@value #MAX_DEAD_LINKS} in a row.
     */
    private Connection liveLink() throws SQLException {
        for (int dead = 0;; dead++) {
            Connection fresh = source.connect();
            if (dead == MAX_DEAD_LINKS || fresh.isValid(LIVENESS_SECONDS)) {
                return fresh;
            }
            source.evict(fresh);
        }
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

    // ---- the end of a transaction, the end of the connection

    /**
     * Commits. A transaction that wrote first writes its marker ({@link CommitOutcomes}), so that a COMMIT lost
     * on its way is resolved: committed, this returns; not committed, the transaction is replayed and committed
     * on a fresh link (or fails with 40001, nothing committed; 40000 if it cannot be replayed). Only where the
     * outcome cannot be learned does it fail with 08007. A transaction that only read just ends.
     */
    public void commit() throws SQLException {
        ensureLink();
        boolean wrote = transaction.wrote();
        CommitOutcomes.Mark mark = wrote ? source.commitOutcomes().prepare(physical) : null;
        try {
            commitNow(mark);
        } catch (SQLException e) {
            Diagnosis diagnosis = diagnoseLoss(e, Phase.COMMIT, 0);
            if (diagnosis == null && rolledBackAtCommit(e)) {
                commitAgain(e, mark);
                return;
            }
            if (diagnosis == null) {
                throw commitRefused(e);
            }
            if (mark != null && mark.sent()) { // it wrote, and its marker says whether it committed
                resolveLostCommit(e, diagnosis, mark);
                return;
            }
            lost(diagnosis);
            state = LOST; // the transaction is over, one way or the other
            transaction.end();
            if (!wrote) {
                source.handler().recovered(diagnosis, 0, 0); // it only read: there was nothing to commit
                return;
            }
            source.handler().notRetried(diagnosis);
            throw Failures.outcomeUnknown(e, diagnosis, "COMMIT");
        }
    }

    /**
     * Writes the marker of the transaction a SQL {@code COMMIT} is about to end. Lost meanwhile, the COMMIT was
     * not sent: the transaction is resolved as {@link #commit()} resolves it, and the statement then runs on the
     * fresh link, where it finds nothing to commit.
     */
    private void markSqlCommit() throws SQLException {
        CommitOutcomes outcomes = source.commitOutcomes();
        CommitOutcomes.Mark mark = outcomes.prepare(physical);
        if (mark == null) {
            return;
        }
        try {
            outcomes.mark(physical, mark);
        } catch (SQLException e) {
            Diagnosis diagnosis = diagnoseLoss(e, Phase.COMMIT, 0);
            if (diagnosis == null) {
                throw commitRefused(e);
            }
            resolveLostCommit(e, diagnosis, mark);
            return;
        }
        sqlCommitMark = mark.sent() ? mark : null;
    }

    /** Commits the open transaction on the link, with its marker where it has one. */
    private void commitNow(CommitOutcomes.Mark mark) throws SQLException {
        if (mark != null) {
            source.commitOutcomes().commit(physical, mark);
        } else {
            physical.commit();
        }
        markGood();
        transaction.end();
    }

    /**
     * Whether the server refused the COMMIT by rolling the whole transaction back (1213: a Galera certification
     * failure, another node's write won; or a deadlock of the marker) while the transaction can run again.
     */
    private boolean rolledBackAtCommit(SQLException refused) {
        return refused.getErrorCode() == DEADLOCK && transaction.wrote() && whyNotReplayable() == null;
    }

    /**
     * Runs the transaction the server rolled back at its COMMIT again on the same link, with proof (as a lost
     * one is replayed: the same values read, the same counts), and commits it; up to {@value #COMMIT_REPLAYS} times
     * while the COMMIT is refused so. 40001 if the replay saw other data (nothing committed).
     */
    private void commitAgain(SQLException refused, CommitOutcomes.Mark mark) throws SQLException {
        SQLException last = refused;
        for (int replays = 0; replays < COMMIT_REPLAYS; replays++) {
            try {
                replayTransaction();
            } catch (Refused dataChanged) {
                throw dataChanged.reason; // rolled back, the transaction ended
            }
            try {
                commitNow(mark);
                return;
            } catch (SQLException again) {
                if (again.getErrorCode() != DEADLOCK) {
                    throw commitRefused(again);
                }
                last = again;
            }
        }
        throw commitRefused(last);
    }

    /**
     * A COMMIT, or its marker, that the server refused on a live link (a deadlock, a read-only server): the
     * transaction is over, rolled back here where the server did not (a SQL ROLLBACK, which the driver takes in
     * auto-commit mode too), so that no later statement commits what is left of it; where even that fails, the
     * link leaves.
     */
    private SQLException commitRefused(SQLException failure) {
        transaction.end();
        try {
            TransactionLog.rollBackBySql(physical);
        } catch (SQLException e) {
            failure.addSuppressed(e);
            lost(lastLoss);
            return failure;
        }
        return leftReadOnly(failure);
    }

    /**
     * A COMMIT (or its marker) lost with its link: on a fresh link, the old session fenced, the marker says
     * whether it committed; if not, the transaction runs again there, with proof, and commits with a new
     * marker (lost again, the next fresh link resolves that one). Counted in {@code linkguard.commit.outcomes}.
     */
    private void resolveLostCommit(SQLException failure, Diagnosis first, CommitOutcomes.Mark mark)
            throws SQLException {
        CommitOutcomes outcomes = source.commitOutcomes();
        lost(first);
        String whyNot = whyNotReplayable();
        try {
            Execution<String> resolution = () -> asOneTransaction(begun -> {
                boolean committed;
                try {
                    committed = outcomes.committed(physical, mark);
                } catch (CommitOutcomes.Unresolvable unresolvable) {
                    throw new Refused(Failures.outcomeUnknown(failure, first, "COMMIT (" + unresolvable.getMessage()
                            + ")"));
                }
                if (committed) {
                    physical.rollback(); // ends the fresh link's read of the marker
                    return CommitOutcomes.COMMITTED;
                }
                if (whyNot != null) {
                    physical.rollback();
                    source.handler().notReplayed(first, whyNot);
                    throw new Refused(notCommitted(first, whyNot));
                }
                replayTransaction(begun);
                try {
                    outcomes.commit(physical, mark);
                } catch (SQLException lostAgain) {
                    if (!mark.sent()) { // committed without a marker: nothing can tell whether it took effect
                        throw new Refused(Failures.outcomeUnknown(lostAgain, first, "COMMIT (its marker could not be "
                                + "written again: " + outcomes.unavailable() + ")"));
                    }
                    throw lostAgain;
                }
                return CommitOutcomes.REPLAYED;
            });
            // asked until the retry budget's time runs out, beyond maxAttempts: giving up leaves 08007
            String outcome = onFreshLinks(first, failure, 0, source.retrier().startAsking(System.nanoTime()),
                    resolution);
            transaction.end();
            outcomes.outcome(outcome);
        } catch (SQLException unresolved) {
            transaction.end();
            if (state != OPEN) {
                state = LOST; // the transaction is over, one way or the other
            }
            boolean rolledBack = unresolved instanceof SQLTransactionRollbackException;
            outcomes.outcome(rolledBack ? CommitOutcomes.ROLLED_BACK : CommitOutcomes.UNKNOWN);
            if (rolledBack || "08007".equals(unresolved.getSQLState())) {
                throw unresolved;
            }
            throw Failures.outcomeUnknown(failure, first, "COMMIT (no fresh link could learn its outcome: "
                    + unresolved.getMessage() + ")");
        }
    }

    /** A lost COMMIT's resolution on the fresh link. */
    private interface Resolution {
        /** @param begun whether the transaction was begun in auto-commit mode by SQL, now open already */
        String run(boolean begun) throws SQLException;
    }

    /**
     * Runs a lost COMMIT's resolution on the fresh link as one transaction. A transaction the application's SQL
     * began in auto-commit mode (a script's {@code START TRANSACTION ... COMMIT}) leaves the fresh link in
     * auto-commit mode, where the marker's locking read would hold nothing, a replay would need its BEGIN (which
     * would commit that read), and the driver refuses {@code commit()} and {@code rollback()}: auto-commit is off
     * for the resolution and back on once it ended. Where that cannot be made sure (nothing of it left open), the
     * fresh link leaves: the application's next statement must never commit half a replay.
     */
    private String asOneTransaction(Resolution resolution) throws SQLException {
        if (!physical.getAutoCommit()) {
            return resolution.run(false);
        }
        Connection link = physical;
        link.setAutoCommit(false);
        String outcome;
        try {
            outcome = resolution.run(true);
        } catch (SQLException | RuntimeException failed) {
            try {
                link.rollback();
                link.setAutoCommit(true);
            } catch (SQLException e) {
                lost(lastLoss); // the link leaves with whatever it holds; the server rolls that back
            }
            throw failed;
        }
        link.setAutoCommit(true); // the resolution committed or rolled back: nothing is open
        return outcome;
    }

    /**
     * The failure of a lost COMMIT that did not take effect and cannot run again: 40000, nothing of it committed;
     * but 08007 where it may have written a table that no rollback undoes (the server said so, or it does not
     * report transaction states and has such tables): those writes stay, and running it again writes them twice.
     */
    private SQLException notCommitted(Diagnosis first, String whyNot) throws SQLException {
        String stays = transaction.wroteNonTransactional()
                ? "a table of an engine without transactions (the server said so)"
                : transaction.wroteUnreported() ? NonTransactionalTables.any(physical) : null;
        return stays == null ? Failures.notCommitted(whyNot, first) : Failures.writesStayed(stays, whyNot, first);
    }

    /** Rolls back; a transaction lost with its link was rolled back by the server, so this ends it. */
    public void rollback() throws SQLException {
        transaction.end();
        if (state != OPEN) {
            state = closed ? state : LOST; // the server rolled back when the link broke
            return;
        }
        try {
            physical.rollback();
            markGood();
        } catch (SQLException e) {
            Diagnosis diagnosis = diagnose(e, Phase.ROLLBACK, 0, false);
            if (diagnosis == null) {
                throw e;
            }
            lost(diagnosis);
            state = LOST; // a transaction whose link breaks is rolled back by the server: the rollback happened
            source.handler().notRetried(diagnosis);
        }
    }

    /** Whether the application closed the connection. */
    public boolean closed() {
        return closed;
    }

    /**
     * The application lets go: the session's SQL-made state is kept for the physical connection's next
     * borrow, the transfer timeouts a remedy raised are put back, and the physical connection returns to the
     * pool (a lost one was evicted already).
     */
    public void close() throws SQLException {
        if (closed) {
            return;
        }
        closed = true;
        source.retryBudget().sent(sent);
        if (state != OPEN) {
            return; // the physical connection was evicted when the link was lost
        }
        source.sessions().keep(physical, session);
        try {
            if (raisedTimeouts != null) {
                raisedTimeouts.restore(physical);
            }
            physical.close();
        } catch (SQLException e) {
            Diagnosis diagnosis = diagnose(e, Phase.EXECUTE, 0, false);
            if (diagnosis == null) {
                throw leftReadOnly(e);
            }
            // the link broke as the application let go of it (the pool's reset of read-only or auto-commit failed):
            // the pool drops it, and what was not committed is rolled back, as closing would have done
            source.handler().recovered(diagnosis, 0, 0);
        }
    }

    // ---- remedies on this session

    /**
     * Before a streamed read: while a remedy asks for a longer {@code net_write_timeout} (a streamed result
     * outlived the server's), the session gets it, its own value kept to be put back when the connection goes
     * back to the pool.
     */
    public void beforeStreaming() throws SQLException {
        try {
            raisedTimeouts = SessionTimeouts.raise(raisedTimeouts, source.handler().remedies(), SessionTimeout.NET_WRITE,
                    physical);
        } catch (SQLException e) {
            throw failed(e, Phase.EXECUTE);
        }
    }

    /**
     * Before a large value is sent: while a remedy asks for a longer {@code net_read_timeout} (a large statement
     * outlived the server's), the session gets it, as {@link #beforeStreaming()} does. Called by the setter that
     * binds the value, which handles a failure as its own.
     */
    public void beforeLargeSend() throws SQLException {
        raisedTimeouts = SessionTimeouts.raise(raisedTimeouts, source.handler().remedies(), SessionTimeout.NET_READ,
                physical);
    }
}
