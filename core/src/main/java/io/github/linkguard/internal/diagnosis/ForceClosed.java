package io.github.linkguard.internal.diagnosis;

import com.mysql.cj.NativeSession;
import com.mysql.cj.Session;
import com.mysql.cj.exceptions.StatementIsClosedException;
import com.mysql.cj.jdbc.JdbcConnection;
import com.mysql.cj.jdbc.exceptions.SQLExceptionsMapping;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * The failure of a batch as the link met it. Connector/J closes the statements of a connection that broke, and,
 * clearing the batch of one that its broken connection closed during the batch, throws "No operations allowed
 * after statement closed" in place of the link's failure (seen with MariaDB 10.11 after a KILL, and under repeated
 * kills on 11.4); the driver's session keeps the reason it was closed for. Without this, the loss reads as an error
 * of the statement: never recovered, or a replay taken for one that saw other data.
 */
public final class ForceClosed {

    private ForceClosed() {
    }

    /** {@code failure} of a batch on {@code physical}, or the link failure it stands in place of. */
    public static SQLException unmask(Connection physical, SQLException failure) {
        if (!(failure.getCause() instanceof StatementIsClosedException)) {
            return failure;
        }
        try {
            Session session = physical.unwrap(JdbcConnection.class).getSession();
            Throwable reason = session instanceof NativeSession ? ((NativeSession) session).getForceClosedReason() : null;
            if (reason == null) {
                return failure;
            }
            SQLException lost = SQLExceptionsMapping.translateException(reason);
            lost.addSuppressed(failure);
            return lost;
        } catch (SQLException | RuntimeException | LinkageError notConnectorJ) {
            return failure;
        }
    }
}
