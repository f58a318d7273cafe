package io.github.linkguard.internal.commit;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Which server process a session ran on: its host name, port and {@code server_id}, and when it started. A
 * session id names a session only on the server instance that gave it, so LinkGuard kills an old session by its
 * id only from a link to the same instance: after a failover (another server, perhaps behind the same address),
 * or after a restart, the id names somebody else's session.
 */
record ServerInstance(String name, long startedAtSeconds) {

    /** Two readings of one instance's start differ by the rounding of its uptime and clock: at most this. */
    private static final long START_TOLERANCE_SECONDS = 2;

    /** The instance {@code connection} is on (two small statements; any user may run them). */
    static ServerInstance of(Connection connection) throws SQLException {
        Map<String, String> values = new HashMap<>();
        try (Statement statement = connection.createStatement()) {
            for (String sql : new String[] {
                "SHOW GLOBAL VARIABLES WHERE Variable_name IN ('hostname', 'port', 'server_id')",
                "SHOW GLOBAL STATUS WHERE Variable_name = 'Uptime'"}) {
                try (ResultSet rows = statement.executeQuery(sql)) {
                    while (rows.next()) {
                        values.put(rows.getString(1).toLowerCase(Locale.ROOT), rows.getString(2));
                    }
                }
            }
        }
        long uptime = Long.parseLong(values.getOrDefault("uptime", "0"));
        return new ServerInstance(values.get("hostname") + ":" + values.get("port") + " server_id "
                + values.get("server_id"), System.currentTimeMillis() / 1000 - uptime);
    }

    /** Whether {@code other} is this instance, running all along. */
    boolean same(ServerInstance other) {
        return other != null && name.equals(other.name)
                && Math.abs(startedAtSeconds - other.startedAtSeconds) <= START_TOLERANCE_SECONDS;
    }

    @Override
    public String toString() {
        return name + " (up since " + startedAtSeconds + ")";
    }
}
