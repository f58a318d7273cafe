package io.github.linkguard.internal.transaction;

/**
 * What the server said about the transaction in its reply to the last statement: the status flags every reply
 * carries, and the transaction state it reports where the session tracks it
 * ({@code session_track_transaction_info=STATE}).
 */
public interface ServerWord {

    /** Whether the reply's status flags said a transaction is open ({@code SERVER_STATUS_IN_TRANS}). */
    boolean inTransaction();

    /** Whether the server reports the transaction's state on this link. */
    boolean reportsTransactions();

    /**
     * The transaction's state as the reply reported it: eight characters, {@code T} (explicit) or {@code I}
     * (implicit) first while one is open, {@code _} when none is, then what it did ({@code w}: wrote a
     * non-transactional table, {@code W}: a transactional one); null if the reply reported no change.
     */
    String transactionState();
}
