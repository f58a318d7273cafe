package io.github.linkguard.examples.ledger;

import java.sql.SQLException;

/** What the tests count as an application's failure, by SQLState. */
final class Failures {

    private Failures() {
    }

    /** The SQLState of the first SQLException in {@code failure}'s chain, or its class name if there is none. */
    static String stateOf(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SQLException) {
                return String.valueOf(((SQLException) t).getSQLState());
            }
        }
        return failure.getClass().getSimpleName();
    }

    /** The message of the first SQLException in {@code failure}'s chain, or {@code failure}'s own. */
    static String messageOf(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SQLException) {
                return t.getMessage();
            }
        }
        return String.valueOf(failure);
    }
}
