package io.github.linkguard.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A MariaDB Galera cluster on loopback, for failover tests: Debian's {@code mariadb-server} with {@code galera-4}
 * ({@code /usr/sbin/mariadbd}, {@code /usr/lib/galera/libgalera_smm.so}, {@code rsync}). Node 0 bootstraps the
 * cluster, the others join it by state transfer (rsync); any node can be {@link #kill(int) killed} (SIGKILL) and
 * started again ({@link #rejoin(int)}) (the survivors, a majority, stay the primary component).
 *
 * <p>Running as root, the nodes run as the {@code mysql} user: the rsync daemon a joining node starts for its
 * state transfer drops from root to {@code nobody}, which may not write the joiner's data directory ("cannot stat
 * destination", Permission denied), and the joiner then aborts. Every node has a self-signed certificate (TLS as
 * with the other test servers).
 *
 * <pre>{@code
 * try (GaleraCluster cluster = GaleraCluster.start(3)) {
 *     String url = cluster.jdbcUrl();   // jdbc:mysql://127.0.0.1:p0,127.0.0.1:p1,127.0.0.1:p2/test?...
 *     cluster.kill(0);                  // a node crashes; the two others go on
 *     cluster.rejoin(0);                // it starts again and rejoins
 * }
 * }</pre>
 */
public final class GaleraCluster implements AutoCloseable {

    /** Where Debian installs the server and the Galera provider. */
    private static final Path SERVER = Path.of("/usr/sbin/mariadbd");
    private static final Path INSTALL_DB = Path.of("/usr/bin/mariadb-install-db");
    private static final Path CLIENT = Path.of("/usr/bin/mariadb");
    private static final Path PROVIDER = Path.of("/usr/lib/galera/libgalera_smm.so");
    private static final String USER = "linkguard";
    private static final String PASSWORD = "linkguard";
    private static final Duration READY_WAIT = Duration.ofSeconds(90);

    private final Path root;
    private final List<Node> nodes;

    private GaleraCluster(Path root, List<Node> nodes) {
        this.root = root;
        this.nodes = nodes;
    }

    /** Whether this machine can run a cluster: Debian's server, the Galera provider and rsync are installed. */
    public static boolean available() {
        return Files.isExecutable(SERVER) && Files.isExecutable(INSTALL_DB) && Files.isRegularFile(PROVIDER)
                && Stream.of("/usr/bin/rsync", "/bin/rsync").anyMatch(rsync -> Files.isExecutable(Path.of(rsync)));
    }

    /**
     * Starts {@code size} nodes one after the other, each ready (synced, {@code wsrep_ready}) before the next
     * (about 5 s each), with the {@value EmbeddedMariaDb#DATABASE} database and the application's user.
     *
     * @throws IllegalStateException if this machine cannot run one ({@link #available()}) or a node did not get ready
     */
    public static GaleraCluster start(int size) {
        if (size < 2 || size > 5) {
            throw new IllegalArgumentException("a Galera cluster has 2 to 5 nodes here, not " + size);
        }
        if (!available()) {
            throw new IllegalStateException("a Galera cluster needs Debian's mariadb-server, galera-4 and rsync ("
                    + SERVER + ", " + PROVIDER + ")");
        }
        Path root;
        try {
            root = Files.createTempDirectory("linkguard-galera-");
            root.toFile().setWritable(true, false);
            root.toFile().setExecutable(true, false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a directory for the Galera cluster", e);
        }
        List<Node> nodes = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            nodes.add(new Node(i, root.resolve("node" + i), freePorts(4)));
        }
        String members = nodes.stream().map(node -> "127.0.0.1:" + node.ports[1]).collect(Collectors.joining(","));
        GaleraCluster cluster = new GaleraCluster(root, nodes);
        try {
            for (Node node : nodes) {
                node.install();
                node.members = members;
                node.start(node.index == 0);
                if (node.index == 0) {
                    node.sql("CREATE DATABASE IF NOT EXISTS " + EmbeddedMariaDb.DATABASE,
                            "CREATE USER IF NOT EXISTS '" + USER + "'@'%' IDENTIFIED BY '" + PASSWORD + "'",
                            "GRANT ALL PRIVILEGES ON *.* TO '" + USER + "'@'%'");
                }
            }
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    /** How many nodes the cluster has. */
    public int size() {
        return nodes.size();
    }

    /** Node {@code i}'s client port. */
    public int port(int i) {
        return nodes.get(i).ports[0];
    }

    /** The host of every node. */
    public String host() {
        return "127.0.0.1";
    }

    /** The application's user (every privilege, as {@link EmbeddedMariaDb#user()}). */
    public String user() {
        return USER;
    }

    /** The password of {@link #user()}. */
    public String password() {
        return PASSWORD;
    }

    /** A Connector/J multi-host URL naming every node, node 0 first, as applications name a cluster. */
    public String jdbcUrl() {
        String hosts = nodes.stream().map(node -> host() + ":" + node.ports[0]).collect(Collectors.joining(","));
        return "jdbc:mysql://" + hosts + "/" + EmbeddedMariaDb.DATABASE + "?sslMode=DISABLED&allowPublicKeyRetrieval=true";
    }

    /** A connection of the application's user to node {@code i} alone. Close it. */
    public Connection connect(int i) throws SQLException {
        return DriverManager.getConnection(EmbeddedMariaDb.jdbcUrl(host(), port(i)), USER, PASSWORD);
    }

    /** Kills node {@code i} (SIGKILL, as a crash) and waits until its process is gone. */
    public void kill(int i) {
        nodes.get(i).kill();
    }

    /** Starts node {@code i} again after {@link #kill}; it rejoins the cluster and is ready when this returns. */
    public void rejoin(int i) {
        nodes.get(i).start(false);
    }

    /** Whether node {@code i} is ready for applications now ({@code wsrep_ready}, synced). */
    public boolean ready(int i) {
        return nodes.get(i).ready();
    }

    /** Stops every node and deletes their files. */
    @Override
    public void close() {
        nodes.forEach(Node::kill);
        EmbeddedMariaDb.deleteTree(root);
    }

    private static int[] freePorts(int count) {
        int[] ports = new int[count];
        List<ServerSocket> held = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                ServerSocket socket = new ServerSocket(0);
                held.add(socket);
                ports[i] = socket.getLocalPort();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("no free port", e);
        } finally {
            for (ServerSocket socket : held) {
                try {
                    socket.close();
                } catch (IOException e) {
                    // free again
                }
            }
        }
        return ports;
    }

    private static boolean runningAsRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** One node: its data directory and ports (client, group communication, incremental and full state transfer). */
    private static final class Node {
        final int index;
        final Path dir;
        final int[] ports;
        String members;
        Process process;

        Node(int index, Path dir, int[] ports) {
            this.index = index;
            this.dir = dir;
            this.ports = ports;
        }

        void install() {
            List<String> command = new ArrayList<>(List.of(INSTALL_DB.toString(), "--no-defaults",
                    "--datadir=" + dir.resolve("data"), "--auth-root-authentication-method=socket"));
            if (runningAsRoot()) {
                command.add("--user=mysql");
            }
            run(command, "install node " + index);
            EmbeddedMariaDb.selfSignedCertificate(dir.resolve("tls"));
            if (runningAsRoot()) {
                run(List.of("chown", "-R", "mysql:mysql", dir.toString()), "give node " + index + " to mysql");
            }
        }

        void start(boolean bootstrap) {
            if (process != null && process.isAlive()) {
                return;
            }
            List<String> command = new ArrayList<>(List.of(SERVER.toString(), "--no-defaults",
                    "--datadir=" + dir.resolve("data"), "--port=" + ports[0], "--socket=" + socket(),
                    "--pid-file=" + dir.resolve("mariadbd.pid"), "--log-error=" + dir.resolve("error.log"),
                    "--bind-address=127.0.0.1", "--skip-name-resolve", "--innodb_buffer_pool_size=32M",
                    "--ssl-cert=" + dir.resolve("tls/server-cert.pem"), "--ssl-key=" + dir.resolve("tls/server-key.pem"),
                    "--wsrep_on=ON", "--wsrep_provider=" + PROVIDER, "--wsrep_cluster_name=linkguard",
                    "--wsrep_cluster_address=gcomm://" + members, "--wsrep_node_address=127.0.0.1:" + ports[1],
                    "--wsrep_provider_options=gmcast.listen_addr=tcp://127.0.0.1:" + ports[1] + ";ist.recv_addr=127.0.0.1:"
                            + ports[2],
                    "--wsrep_sst_receive_address=127.0.0.1:" + ports[3], "--wsrep_sst_method=rsync",
                    "--binlog_format=ROW", "--innodb_autoinc_lock_mode=2"));
            if (runningAsRoot()) {
                command.add("--user=mysql");
            }
            if (bootstrap) {
                command.add("--wsrep-new-cluster");
            }
            try {
                process = new ProcessBuilder(command).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("console.log").toFile())).start();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start Galera node " + index, e);
            }
            long deadline = System.nanoTime() + READY_WAIT.toNanos();
            while (!ready()) {
                if (!process.isAlive() || System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("Galera node " + index + " did not get ready within " + READY_WAIT
                            + " (its log: " + dir.resolve("error.log") + ")");
                }
                sleep(200);
            }
        }

        boolean ready() {
            if (process == null || !process.isAlive()) {
                return false;
            }
            try (Connection connection = DriverManager.getConnection(EmbeddedMariaDb.jdbcUrl("127.0.0.1", ports[0])
                    + "&connectTimeout=1000", USER, PASSWORD);
                    Statement statement = connection.createStatement();
                    ResultSet status = statement.executeQuery("SELECT @@wsrep_on, (SELECT VARIABLE_VALUE FROM "
                            + "information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'WSREP_READY')")) {
                return status.next() && "ON".equalsIgnoreCase(status.getString(2));
            } catch (SQLException e) {
                return index == 0 && readyBySocket(); // before the application's user exists
            }
        }

        private boolean readyBySocket() {
            try {
                Process client = new ProcessBuilder(CLIENT.toString(), "--no-defaults", "-uroot", "-S", socket(), "-N",
                        "-e", "SHOW STATUS LIKE 'wsrep_ready'").redirectErrorStream(true).start();
                String out = new String(client.getInputStream().readAllBytes());
                return client.waitFor(10, TimeUnit.SECONDS) && client.exitValue() == 0 && out.contains("ON");
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }

        /** Runs {@code sql} as root over the node's socket. */
        void sql(String... sql) {
            List<String> command = new ArrayList<>(List.of(CLIENT.toString(), "--no-defaults", "-uroot", "-S", socket(),
                    "-e", String.join(";", sql)));
            run(command, "set up node " + index);
        }

        void kill() {
            Process running = process;
            if (running == null) {
                return;
            }
            running.destroyForcibly();
            try {
                running.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private String socket() {
            return dir.resolve("mariadbd.sock").toString();
        }

        private void run(List<String> command, String what) {
            try {
                Process step = new ProcessBuilder(command).redirectErrorStream(true).start();
                String out = new String(step.getInputStream().readAllBytes());
                if (!step.waitFor(120, TimeUnit.SECONDS) || step.exitValue() != 0) {
                    throw new IllegalStateException("cannot " + what + ": " + out);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot " + what, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted: " + what, e);
            }
        }

        private static void sleep(long millis) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while a Galera node starts", e);
            }
        }
    }
}
