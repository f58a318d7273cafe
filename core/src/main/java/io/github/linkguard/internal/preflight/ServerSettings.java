package io.github.linkguard.internal.preflight;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The server's limits as a session of the pool sees them: read over a connection made with the pool's
 * settings, so that a {@code wait_timeout} the URL sets for its sessions counts, not only the global one.
 * Values in seconds, but {@code max_allowed_packet} in bytes.
 */
public record ServerSettings(long waitTimeout, long globalWaitTimeout, long interactiveTimeout, long connectTimeout,
        long netReadTimeout, long netWriteTimeout, long maxAllowedPacket, long maxConnections) {

    private static final String QUERY = "SELECT @@session.wait_timeout, @@global.wait_timeout, "
            + "@@session.interactive_timeout, @@global.connect_timeout, @@session.net_read_timeout, "
            + "@@session.net_write_timeout, @@global.max_allowed_packet, @@global.max_connections";

    /** Reads the settings over {@code session}. */
    public static ServerSettings read(Connection session) throws SQLException {
        try (Statement statement = session.createStatement(); ResultSet row = statement.executeQuery(QUERY)) {
            row.next();
            return new ServerSettings(row.getLong(1), row.getLong(2), row.getLong(3), row.getLong(4), row.getLong(5),
                    row.getLong(6), row.getLong(7), row.getLong(8));
        }
    }
}
