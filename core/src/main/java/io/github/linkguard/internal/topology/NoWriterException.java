package io.github.linkguard.internal.topology;

import java.sql.SQLTransientConnectionException;
import java.util.List;

/**
 * No server of the URL is the writer now (a failover is under way: the primary is gone and none has been promoted
 * yet, or the Galera nodes are not ready): a connect that failed for that, with each server's answer. SQLState
 * 08001, so that pools and LinkGuard try again.
 */
public final class NoWriterException extends SQLTransientConnectionException {

    private static final long serialVersionUID = 1L;

    NoWriterException(List<ServerRole> roles) {
        super("no server of the URL is the writer now: " + roles.stream().map(ServerRole::toString).toList(), "08001");
    }
}
