package io.github.linkguard.internal.recovery;

import io.github.linkguard.internal.replay.ReadLog;
import io.github.linkguard.internal.replay.TransactionLog;
import io.github.linkguard.internal.transaction.Transaction;
import io.github.linkguard.internal.transaction.TransactionSql;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * What the recovery needs of an application's statement: how to make it again on a fresh link, and what its
 * last execution was, to keep it for a transaction's replay and to note what it did to the session.
 */
public interface Recoverable extends Transaction.Reads {

    /** What an execution returned, for {@link Link#ran}: a result set. */
    long RESULT = -1;
    /** An update count the statement still holds ({@code execute} returned false): ask it if needed. */
    long ASK = -2;
    /** A batch: update counts per statement. */
    long BATCH = -3;

    /** The statement's own SQL (prepared and callable statements); null for a plain statement. */
    String sql();

    /** Whether running {@code text} on this statement only changes rows ({@code SqlStatements.changesData}). */
    boolean changesData(String text);

    /** What running {@code text} on this statement does to the open transaction ({@code TransactionSql.kind}). */
    TransactionSql.Kind transactionKind(String text);

    /** Whether running {@code text} on this statement may change the session. */
    boolean touchesSession(String text);

    /** What the statement sends besides its SQL text: the largest bound value. */
    long payloadBytes();

    /** Whether results are streamed: a result still occupies the link after the execution. */
    boolean streaming();

    /** The value bound to parameter {@code index} as far as it is kept, for lock names; else null. */
    Object boundValue(int index);

    /** The last execution as a step of a transaction's replay; null if it cannot be made again. */
    TransactionLog.Step step();

    /** The batch the last execution ran, as a step of a transaction's replay; null if it cannot be queued again. */
    TransactionLog.Batch batch();

    /** Why the last execution cannot be made again, when {@link #step()} is null. */
    String whyNotReplayable();

    /** How the transaction's replay keeps the last execution: its number and the log of its result's reads. */
    void keptAs(int number, ReadLog reads);

    /** The last execution's number in the open transaction's replay, or -1. */
    int kept();

    /** The update count of the last execution, which returned no result set. */
    long updateCount() throws SQLException;

    /** Re-creates the statement on {@code fresh}, with the settings and parameters the application gave it. */
    void reopen(Connection fresh) throws SQLException;
}
