package io.github.linkguard.internal.recovery;

import io.github.linkguard.Diagnosis;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransactionRollbackException;

/** The failures LinkGuard itself raises when a lost link cannot be hidden: each says what happened and why. */
final class Failures {

    private Failures() {
    }

    /** A lost link after a write or commit was sent: whether it was applied is unknown (SQLState 08007). */
    static SQLException outcomeUnknown(SQLException failure, Diagnosis diagnosis, String what) {
        SQLException unknown = new SQLNonTransientConnectionException("LinkGuard: the link to the database was lost "
                + "after " + what + " was sent; whether the server applied it is unknown (transaction resolution "
                + "unknown). It was not retried: check before repeating it. " + diagnosis.summary(), "08007",
                failure);
        return diagnosis.attachTo(unknown);
    }

    /**
     * The failure of every call while a transaction lost with its link waits for the application to end it:
     * 40000, saying why it was not replayed ({@code why}, null if nothing to say).
     */
    static SQLException transactionLost(String why) {
        return new SQLTransactionRollbackException("LinkGuard: the link to the database was lost inside a "
                + "transaction and the server rolled the transaction back" + (why == null ? "" : " (not replayed: "
                + why + ")") + "; call rollback() (or run ROLLBACK) before using this connection again", "40000");
    }

    /**
     * A COMMIT lost with its link that LinkGuard verified did not take effect, and could not run again
     * ({@code why}): the transaction was rolled back (40000), nothing of it committed.
     */
    static SQLException notCommitted(String why, Diagnosis diagnosis) {
        SQLException rolledBack = new SQLTransactionRollbackException("LinkGuard: the link to the database was lost "
                + "during COMMIT; the server confirms that the transaction did not commit (it was rolled back), and it "
                + "was not replayed: " + why + ". Nothing of it was committed: run it again. " + diagnosis.summary(),
                "40000");
        return diagnosis.attachTo(rolledBack);
    }

    /**
     * A COMMIT lost with its link that LinkGuard verified did not take effect, of a transaction that may have
     * written {@code stays} (tables that no rollback undoes): those writes stayed, so it is neither "rolled back"
     * nor to be run again as it is (08007, the transaction's outcome is partial).
     */
    static SQLException writesStayed(String stays, String why, Diagnosis diagnosis) {
        SQLException partial = new SQLNonTransientConnectionException("LinkGuard: the link to the database was lost "
                + "during COMMIT; the server confirms that the transaction did not commit, but it may have written "
                + stays + ", where its writes stay (no rollback undoes them). It was not replayed (" + why + "), and "
                + "running it again as it is would write them twice: check before repeating it. " + diagnosis.summary(),
                "08007");
        return diagnosis.attachTo(partial);
    }

    /** A call on a connection the application closed. */
    static SQLException closed() {
        return new SQLNonTransientConnectionException("Connection is closed", "08003");
    }

    /**
     * A recovery that must not go on on any link (a refused rerun, a replay that saw other data): the attempts
     * on fresh links stop and {@link #reason} is thrown as it is.
     */
    static final class Refused extends SQLException {
        final SQLException reason;

        Refused(SQLException reason) {
            super(reason.getMessage(), reason.getSQLState(), reason);
            this.reason = reason;
        }
    }
}
