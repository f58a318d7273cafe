package io.github.linkguard.internal.retry;

import io.github.linkguard.Cause;
import io.github.linkguard.Diagnosis;
import io.github.linkguard.internal.diagnosis.ServerErrors;
import java.sql.SQLException;
import java.util.Locale;

/** What LinkGuard retries by default, cause by cause (see README "What LinkGuard retries"). */
public final class RetryPolicy {

    private RetryPolicy() {
    }

    /**
     * Whether a failed connect is worth another attempt: nothing ran, so it is always safe, but a packet
     * that is too large or a TLS failure ({@code unknown}) fails the same way again.
     */
    public static boolean retriesConnect(Cause cause) {
        return cause != Cause.PACKET_TOO_LARGE && cause != Cause.UNKNOWN && cause != Cause.TRANSFER_TIMEOUT;
    }

    /**
     * Whether a statement that lost its link in auto-commit mode may run again on a fresh link, if it is
     * safe to (a read, declared idempotent, or known not to have run): not an oversized packet, which fails
     * the same way again, nor a TLS failure.
     */
    public static boolean retriesStatement(Cause cause) {
        return cause != Cause.PACKET_TOO_LARGE && cause != Cause.UNKNOWN;
    }

    /**
     * Whether a statement whose link failed this way should, by default, be sent again on a fresh link. Not
     * after a socket timeout: the server is reachable but slow and may still be running the first copy, so
     * another one adds load to a struggling server, not success (a read timing out this way would be sent
     * {@code maxAttempts} times). {@code retryRule} can still ask for it.
     */
    public static boolean sendsAgain(Cause cause) {
        return retriesStatement(cause) && cause != Cause.SOCKET_TIMEOUT;
    }

    /**
     * Whether the statement cannot have run: the server had closed the idle session before it was sent,
     * the client refused to send it, or a demoted server refused it as read-only (a failover).
     */
    public static boolean knownNotRun(Cause cause) {
        return cause == Cause.IDLE_TIMEOUT || cause == Cause.PACKET_TOO_LARGE || cause == Cause.FAILOVER;
    }

    /**
     * Whether the physical link still works after this failure: Connector/J's own packet-size check
     * (SQLState S1000) refuses before sending anything.
     */
    public static boolean linkSurvives(Diagnosis diagnosis, SQLException failure) {
        return diagnosis.cause() == Cause.PACKET_TOO_LARGE && "S1000".equals(failure.getSQLState());
    }

    /**
     * Whether a failure of LinkGuard's own statements on a fresh link (restoring a session, replaying a
     * transaction, reading or writing a COMMIT's marker) is that link breaking too, or the server ending its
     * session (a KILL, a shutdown), rather than the server refusing the statement.
     */
    public static boolean linkBroke(SQLException failure) {
        return failure instanceof java.sql.SQLRecoverableException
                || (failure.getSQLState() != null && failure.getSQLState().startsWith("08"))
                || ServerErrors.endsSession(failure.getErrorCode());
    }

    /**
     * Throws {@code failure} if the link broke ({@link #linkBroke}): for LinkGuard's own statements on a fresh link
     * whose other failures it takes as an answer. Swallowed, a broken link's next call would meet the pool's
     * "Connection is closed", which says nothing of a lost link.
     */
    public static void throwIfLinkBroke(SQLException failure) throws SQLException {
        if (linkBroke(failure)) {
            throw failure;
        }
    }

    /**
     * Whether the server refused a write because it is read-only (a demoted primary): 1836 (read-only mode), or
     * 1290 naming the read-only option (1290 names other options too). Not 1792, a READ ONLY transaction's
     * refusal: the application's own choice, on any server.
     */
    public static boolean readOnlyServer(SQLException failure) {
        for (SQLException each = failure; each != null; each = each.getNextException()) {
            int code = each.getErrorCode();
            String message = each.getMessage() == null ? "" : each.getMessage().toLowerCase(Locale.ROOT);
            if (code == 1836 || code == 1290 && (message.contains("read-only") || message.contains("read_only"))) {
                return true;
            }
        }
        return false;
    }
}
