package io.github.linkguard.internal.topology;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.List;

/**
 * No server of the URL is the writer now (a failover is under way: the primary is gone and none has been promoted
 * yet, or the Galera nodes are not ready): a connect that failed for that, with each server's answer. SQLState
 * 08001, so that pools and LinkGuard try again.
 */
public final class NoWriterException extends SQLTransientConnectionException {

    private static final long serialVersionUID = 1L;

    NoWriterException(List<ServerRole> roles, SQLException lostWriterAnswer) {
        super("no server of the URL is the writer now: " + roles.stream().map(ServerRole::toString).toList(), "08001",
                lostWriterAnswer);
    }

    /**
     * How the connect to the writer lost last failed (its port refused, it timed out), which is the evidence of
     * that writer's lost links; null when it answered (a read-only server, a replica) or none was lost.
     */
    public SQLException lostWriterAnswer() {
        return getCause() instanceof SQLException answer ? answer : null;
    }
}
