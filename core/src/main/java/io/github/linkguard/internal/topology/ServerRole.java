package io.github.linkguard.internal.topology;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import javax.sql.DataSource;

/**
 * What one server of a topology said it is, asked over a connection made as the pool's are: the writer
 * (writable, replicating from none; on Galera a node that is ready, synced and in the primary component) or why
 * not. The writer's connection is kept, to be the pool's.
 */
final class ServerRole {

    private static final String VARIABLES = "SHOW GLOBAL VARIABLES WHERE Variable_name IN "
            + "('read_only', 'super_read_only', 'innodb_read_only', 'wsrep_on')";
    private static final String STATUS = "SHOW GLOBAL STATUS WHERE Variable_name IN "
            + "('Slaves_running', 'wsrep_ready', 'wsrep_local_state', 'wsrep_cluster_status')";
    /** Galera's {@code wsrep_local_state} of a synced node. */
    private static final String SYNCED = "4";

    private final String address;
    private final Connection connection;
    private final String notWriter;
    private final boolean galera;
    private final SQLException failure;

    private ServerRole(String address, Connection connection, String notWriter, boolean galera,
            SQLException failure) {
        this.address = address;
        this.connection = connection;
        this.notWriter = notWriter;
        this.galera = galera;
        this.failure = failure;
    }

    /** Asks the server at {@code address}; never throws (a failure is the answer). */
    static ServerRole ask(String address, DataSource server, Topology.Opener opener) {
        Connection connection;
        try {
            connection = opener.open(server);
        } catch (SQLException e) {
            return silent(address, e.getMessage(), e);
        } catch (RuntimeException e) {
            return silent(address, e.getMessage());
        }
        try {
            Map<String, String> values = values(connection);
            boolean galera = "ON".equals(values.get("wsrep_on"));
            String notWriter = whyNotWriter(values, galera);
            if (notWriter != null) {
                connection.close();
                return new ServerRole(address, null, notWriter, galera, null);
            }
            return new ServerRole(address, connection, null, galera, null);
        } catch (SQLException | RuntimeException e) {
            closeQuietly(connection);
            return silent(address, e.getMessage());
        }
    }

    /** Why the server of {@code connection} is not the writer now (read-only, replicating, ...), or null if it is. */
    static String whyNotWriter(Connection connection) throws SQLException {
        Map<String, String> values = values(connection);
        return whyNotWriter(values, "ON".equals(values.get("wsrep_on")));
    }

    private static Map<String, String> values(Connection connection) throws SQLException {
        Map<String, String> values = read(connection, VARIABLES);
        values.putAll(read(connection, STATUS));
        return values;
    }

    /** A server that gave no answer, and why. */
    static ServerRole silent(String address, String why) {
        return silent(address, why, null);
    }

    private static ServerRole silent(String address, String why, SQLException failure) {
        return new ServerRole(address, null, "no answer (" + why + ")", false, failure);
    }

    private static String whyNotWriter(Map<String, String> values, boolean galera) {
        for (String readOnly : new String[] {"read_only", "super_read_only", "innodb_read_only"}) {
            if ("ON".equals(values.get(readOnly))) {
                return readOnly;
            }
        }
        if (galera) {
            if (!"ON".equals(values.get("wsrep_ready")) || !SYNCED.equals(values.get("wsrep_local_state"))
                    || !"Primary".equalsIgnoreCase(values.get("wsrep_cluster_status"))) {
                return "Galera node not ready (wsrep_ready " + values.get("wsrep_ready") + ", wsrep_local_state "
                        + values.get("wsrep_local_state") + ", wsrep_cluster_status " + values.get("wsrep_cluster_status")
                        + ")";
            }
            return null;
        }
        String replicating = values.get("slaves_running");
        if (replicating != null && !"0".equals(replicating)) {
            return "replicating";
        }
        return null;
    }

    private static Map<String, String> read(Connection connection, String sql) throws SQLException {
        Map<String, String> values = new HashMap<>();
        try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
            while (rows.next()) {
                values.put(rows.getString(1).toLowerCase(Locale.ROOT), rows.getString(2));
            }
        }
        return values;
    }

    String address() {
        return address;
    }

    boolean writer() {
        return notWriter == null;
    }

    boolean galera() {
        return galera;
    }

    /** Why a connect to the server failed, if it did (refused, timed out, ...); else null. */
    SQLException failure() {
        return failure;
    }

    /** The writer's connection. */
    Connection connection() {
        return connection;
    }

    /** Lets go of a connection kept for nothing. */
    void close() {
        if (connection != null) {
            closeQuietly(connection);
        }
    }

    /** Closes a connection that is let go of (null: nothing), whatever the server it was to says. */
    static void closeQuietly(Connection connection) {
        if (connection == null) {
            return;
        }
        try {
            connection.close();
        } catch (SQLException ignored) {
            // the server is going away anyway
        }
    }

    @Override
    public String toString() {
        return address + (notWriter == null ? " writer" : " " + notWriter);
    }
}
