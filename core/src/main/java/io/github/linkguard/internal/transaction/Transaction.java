package io.github.linkguard.internal.transaction;

import io.github.linkguard.internal.replay.TransactionLog;
import io.github.linkguard.internal.transaction.TransactionSql.Kind;
import java.util.function.Supplier;

/**
 * The application connection's transaction: whether one is open, where it began, whether it wrote, what is
 * kept to replay it and why it cannot be. A transaction is what the server says it is: every reply's status
 * flags say whether one is open, and its transaction state reports ({@code session_track_transaction_info})
 * say when one ended (SQL {@code COMMIT}, an implicit commit, a procedure that commits) and whether it wrote a
 * non-transactional table ({@code w}: MyISAM, Aria, MEMORY, also through a trigger or a function), which no
 * replay can undo. The statements' text ({@link TransactionSql}) fills in only what no reply can say, and
 * only away from a replay: what LinkGuard cannot place makes the transaction not replayable, never a replay.
 *
 * <p>The connection asks it what a lost link costs ({@link #atStake()}, {@link #wrote()}) and tells it what
 * ran ({@link #ran}), what the application set ({@link #autoCommit(boolean)}) and where it ended
 * ({@link #end()}). Not thread-safe, like the connection.
 */
public final class Transaction {

    /** What the application's statement tells the transaction about itself (its text, for reads). */
    @FunctionalInterface
    public interface Reads {
        /** Whether running {@code sql} only reads, by its text (no stored function, no locking clause). */
        boolean reads(String sql);
    }

    /** Why a transaction that wrote a non-transactional table is not replayed. */
    static final String NON_TRANSACTIONAL = "it wrote a non-transactional table (MyISAM, Aria, MEMORY, ...: "
            + "directly, by a trigger or by a stored function), which the server does not roll back with the "
            + "link, so a replay would write it twice";
    /** Why a transaction that wrote is not replayed where the server does not report transaction states. */
    static final String UNPROVEN_WRITE = "it wrote, and without the server's transaction reports "
            + "(session_track_transaction_info) LinkGuard cannot tell whether a write reached a non-transactional "
            + "table, which a replay would write twice";

    /** Why a transaction with characteristics of its own is not replayed. */
    static final String OWN_CHARACTERISTICS = "its isolation level was set for it alone (SET TRANSACTION, or a change "
            + "of the session's level while it was open), which a fresh link restored to the session's would not have";

    private final boolean replays;
    private final Supplier<TransactionLog> logs;
    private boolean autoCommit;
    /** A transaction is open with work in it, or may be: a loss from here on loses work. */
    private boolean worked;
    /** The open transaction may have written: a lost COMMIT then has an unknown outcome. */
    private boolean wrote;
    /** The server said the open transaction wrote a table no rollback undoes. */
    private boolean wroteNonTransactional;
    /** The open transaction wrote where the server does not report transaction states: what, is not known. */
    private boolean wroteUnreported;
    /** What the open transaction did, to replay it; null while replay is off or none was kept yet. */
    private TransactionLog log;
    /** Why the transaction lost with the link was not replayed, for the failures until it ends; else null. */
    private String notReplayed;
    /** The text {@link #lastKind} is the kind of. */
    private String lastSql;
    private Kind lastKind;
    /** The next transaction gets characteristics of its own ({@code SET TRANSACTION} without a scope). */
    private boolean ownCharacteristicsNext;

    /**
     * @param autoCommit the connection's auto-commit mode when the application got it
     * @param replays whether transactions lost with their link are replayed
     * @param logs makes a log for a transaction's replay, with the DataSource's bounds
     */
    public Transaction(boolean autoCommit, boolean replays, Supplier<TransactionLog> logs) {
        this.autoCommit = autoCommit;
        this.replays = replays;
        this.logs = logs;
    }

    /** The connection's auto-commit mode, as the application or its SQL last set it. */
    public boolean autoCommit() {
        return autoCommit;
    }

    /**
     * The application set auto-commit (through JDBC, or with {@code SET autocommit}). Turning it on commits
     * the open transaction; turning it off leaves one the application began with SQL open.
     */
    public void autoCommit(boolean on) {
        if (on && !autoCommit) {
            end();
        }
        autoCommit = on;
    }

    /** Whether a lost link now loses work: a transaction is open with work in it, or may be. */
    public boolean atStake() {
        return worked;
    }

    /** Whether the open transaction may have written (a lost COMMIT of one that did has an unknown outcome). */
    public boolean wrote() {
        return wrote;
    }

    /**
     * Whether the open transaction wrote a table that no rollback undoes (MyISAM, Aria, MEMORY), as the server
     * said: its writes there stay whatever becomes of the transaction.
     */
    public boolean wroteNonTransactional() {
        return wroteNonTransactional;
    }

    /** Whether the open transaction wrote where the server does not report transaction states (what, is unknown). */
    public boolean wroteUnreported() {
        return wroteUnreported;
    }

    /** The open transaction's log for its replay, made on first use (replay on); null with replay off. */
    public TransactionLog log() {
        if (log == null && replays) {
            log = logs.get();
        }
        return log;
    }

    /** Whether statements of the open transaction are being kept for its replay (the log exists and holds). */
    public boolean keeping() {
        return worked && log != null && log.whyNot() == null;
    }

    /** Why the open transaction cannot be replayed, as far as its own work goes; null if it can. */
    public String whyNotReplayable() {
        return log == null ? "nothing of it was kept" : log.whyNot();
    }

    /** The transaction lost with the link is not replayed, for this reason (said until it ends). */
    public void notReplayed(String why) {
        notReplayed = why;
    }

    /** Why the transaction lost with the link was not replayed, or null. */
    public String notReplayedBecause() {
        return notReplayed;
    }

    /**
     * The application set characteristics (the isolation level) for the next transaction only, or, with one
     * open, changed the session's level, which the open one does not follow. Either way that transaction runs
     * at a level that a fresh link, restored to the session's, would not give its replay: it is not replayed.
     */
    public void characteristicsOfItsOwn() {
        if (worked) {
            notReplayable(OWN_CHARACTERISTICS);
        } else {
            ownCharacteristicsNext = true;
        }
    }

    /** The open transaction ended (commit, rollback, a change of auto-commit, the server's word): the next starts clean. */
    public void end() {
        notReplayed = null;
        worked = false;
        wrote = false;
        wroteNonTransactional = false;
        wroteUnreported = false;
        if (log != null) {
            log.clear();
        }
    }

    /** A savepoint command of the open transaction ran (a loss from here on loses the savepoint). */
    public boolean savepoint() {
        if (autoCommit && !worked) {
            return false;
        }
        worked = true;
        return true;
    }

    /**
     * A statement ran successfully: follows what it did to the transaction, as the server's reply says, and
     * as its text says where the reply cannot.
     *
     * @param sql the statement's text (null: a batch of plain statements, which may hold anything)
     * @param server what the server said in its reply; null if the link is not Connector/J's
     * @param statement tells reads from writes by the text, where the server does not report writes
     * @return whether the statement belongs to the open transaction (then it is kept for its replay)
     */
    public boolean ran(String sql, ServerWord server, Reads statement) {
        boolean ownCharacteristics = ownCharacteristicsNext;
        ownCharacteristicsNext = false; // the next statement, transaction or not, uses what was set for the next
        boolean openOnServer = server != null && server.inTransaction();
        if (server != null && !worked && !openOnServer) {
            return false; // none was open, none is: an auto-commit statement, or one that touched no table
        }
        Kind kind = kindOf(sql);
        String state = server == null ? null : server.transactionState();
        if (ends(kind) || state != null && state.charAt(0) == '_' || server != null && !openOnServer) {
            end(); // the server says so, or the statement said it with its own words and succeeded
        }
        if (server != null ? !openOnServer : !openByText(kind)) {
            return false;
        }
        boolean began = !worked;
        worked = true;
        if (began && ownCharacteristics) {
            notReplayable(OWN_CHARACTERISTICS);
        }
        if (kind == Kind.CHAINS) {
            notReplayable("it began with " + TransactionSql.firstWords(sql));
        } else if (kind == Kind.UNKNOWN || kind == Kind.MAY_COMMIT) {
            // a procedure, several statements, XA, DDL that did not commit: where the transaction began is unknown
            notReplayable("it ran " + TransactionSql.firstWords(sql)
                    + ", which may have ended the transaction and begun another");
        } else if (began && autoCommit && kind != Kind.BEGINS) {
            notReplayable("it began in " + TransactionSql.firstWords(sql)
                    + ", which LinkGuard cannot run again alone");
        }
        if (server != null && server.reportsTransactions()) {
            String flags = state;
            if (flags != null && flags.length() >= 5) {
                if (flags.charAt(3) == 'w') {
                    wroteNonTransactional = true;
                    notReplayable(NON_TRANSACTIONAL);
                }
                wrote |= flags.charAt(3) == 'w' || flags.charAt(4) == 'W';
            }
        } else if (kind != Kind.BEGINS && !statement.reads(sql)) {
            wrote = true;
            wroteUnreported = true;
            notReplayable(UNPROVEN_WRITE);
        }
        return true;
    }

    /**
     * A statement failed on a link that lives on (a server error, not a lost link). One that may end the
     * transaction (DDL, COMMIT, a procedure, ...) may have done so before it failed (an implicit commit comes
     * first), and an error reply says nothing of it: the transaction is not replayed until the server says
     * it ended.
     */
    public void failed(String sql) {
        Kind kind = TransactionSql.kind(sql);
        if (worked && kind != Kind.PLAIN) {
            notReplayable("a statement that may end the transaction failed (" + TransactionSql.firstWords(sql)
                    + "), and an error reply does not say whether it ended it first");
        }
    }

    /**
     * What {@code sql} may do to the transaction; the last text's kind is kept, since a transaction often runs
     * the same statement again (a prepared statement, a loop): compared by identity, it costs a field read.
     */
    private Kind kindOf(String sql) {
        if (sql != lastSql || sql == null) {
            lastKind = TransactionSql.kind(sql);
            lastSql = sql;
        }
        return lastKind;
    }

    /** Whether a statement of this kind that succeeded ended the transaction open before it. */
    private static boolean ends(Kind kind) {
        return kind == Kind.BEGINS || kind == Kind.COMMITS || kind == Kind.ROLLS_BACK || kind == Kind.CHAINS;
    }

    /** Without any word from the server: whether a transaction is open after a statement of this kind. */
    private boolean openByText(Kind kind) {
        switch (kind) {
            case COMMITS:
            case ROLLS_BACK:
                return false;
            case BEGINS:
            case CHAINS:
            case UNKNOWN:
                return true;
            case MAY_COMMIT:
                return worked; // if it did not commit, the transaction goes on
            default:
                return !autoCommit || worked;
        }
    }

    private void notReplayable(String why) {
        TransactionLog kept = log();
        if (kept != null) {
            kept.notReplayable(why);
        }
    }
}
