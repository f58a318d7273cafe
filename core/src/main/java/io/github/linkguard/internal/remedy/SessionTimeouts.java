package io.github.linkguard.internal.remedy;

import io.github.linkguard.internal.remedy.Remedies.SessionTimeout;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The transfer timeouts a remedy gave one session ({@code net_write_timeout} before a streamed read,
 * {@code net_read_timeout} before a large value is sent), its own values kept in user variables to be put back
 * before the pool hands the connection to another. Made only once a remedy asks for a longer timeout.
 */
public final class SessionTimeouts {

    private final Remedies remedies;
    /** What this session was given, by {@link SessionTimeout}, in seconds; 0 if nothing. */
    private final int[] raised = new int[SessionTimeout.values().length];

    private SessionTimeouts(Remedies remedies) {
        this.remedies = remedies;
    }

    /**
     * Raises {@code timeout} on {@code session} to what the remedies ask, if it is lower. {@code current} is
     * the session's record so far (null: none yet); returns the record to keep (null while no remedy asks).
     */
    public static SessionTimeouts raise(SessionTimeouts current, Remedies remedies, SessionTimeout timeout,
            Connection session) throws SQLException {
        int seconds = remedies.seconds(timeout);
        if (current == null && seconds == 0) {
            return null;
        }
        SessionTimeouts timeouts = current == null ? new SessionTimeouts(remedies) : current;
        int raised = timeouts.raised[timeout.ordinal()];
        if (seconds <= raised) {
            return timeouts;
        }
        String variable = timeout.variable();
        try (Statement statement = session.createStatement()) {
            statement.execute((raised == 0 ? "SET @linkguard_" + variable + " = @@session." + variable + ", " : "SET ")
                    + "SESSION " + variable + " = " + seconds);
        }
        timeouts.raised[timeout.ordinal()] = seconds;
        timeouts.remedies.raised(timeout, seconds);
        return timeouts;
    }

    /** Puts the session's own values back, before the pool hands the connection to another. */
    public void restore(Connection session) throws SQLException {
        for (SessionTimeout timeout : SessionTimeout.values()) {
            if (raised[timeout.ordinal()] > 0) {
                String variable = timeout.variable();
                try (Statement statement = session.createStatement()) {
                    statement.execute("SET SESSION " + variable + " = @linkguard_" + variable + ", @linkguard_" + variable
                            + " = NULL");
                }
            }
        }
    }
}
