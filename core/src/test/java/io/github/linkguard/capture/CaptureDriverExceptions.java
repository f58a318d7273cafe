package io.github.linkguard.capture;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.linkguard.testkit.EmbeddedMariaDb;
import io.github.linkguard.testkit.FaultProxy;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;

/**
 * Captures the exceptions mysql-connector-j and HikariCP really throw in each failure, without LinkGuard in
 * the way, and serializes them into {@code src/test/resources/captured/} for the diagnosis unit tests.
 * Re-run it after upgrading the driver or the pool:
 *
 * <pre>
 * mvn -pl core -am test-compile exec:java -Dexec.mainClass=io.github.linkguard.capture.CaptureDriverExceptions \
 *     -Dexec.classpathScope=test [-Dexec.args=tls-]
 * </pre>
 * Every failure is captured twice, TLS off and on ({@code -tls}); the argument captures only the failures
 * whose names start with it.
 */
public final class CaptureDriverExceptions {

    private static final Path OUT = Paths.get("src/test/resources/captured");
    /** Captures only the failures whose names start with this (the program's first argument), or all if null. */
    private static String only;

    private CaptureDriverExceptions() {
    }

    /** A failure to provoke. */
    @FunctionalInterface
    private interface Scenario {
        void run() throws Exception;
    }

    public static void main(String[] args) throws Exception {
        only = args.length > 0 ? args[0] : null;
        Files.createDirectories(OUT);
        try (EmbeddedMariaDb db = EmbeddedMariaDb.builder()
                .serverVariable("wait_timeout", 2)
                .serverVariable("connect_timeout", 2)
                .serverVariable("net_write_timeout", 2)
                .serverVariable("max_allowed_packet", 4 * 1024 * 1024)
                .serverVariable("max_connections", 5)
                .start()) {
            db.execute("CREATE TABLE big (id INT PRIMARY KEY, payload VARCHAR(1000))",
                    "INSERT INTO big SELECT seq, REPEAT('x', 1000) FROM seq_1_to_40000",
                    "CREATE TABLE t (id INT PRIMARY KEY)");
            captureAll(db, "", url -> url);
            // the TLS twins: the same failures with the link encrypted, as Connector/J negotiates by default
            captureAll(db, "-tls", url -> url.replace("sslMode=DISABLED", "sslMode=REQUIRED"));
            captureTlsConfiguration(db);
        }
    }

    /** Every failure, on URLs made by {@code mode}, saved under its name and {@code suffix}. */
    private static void captureAll(EmbeddedMariaDb db, String suffix, UnaryOperator<String> mode) throws Exception {
        String patient = mode.apply(db.jdbcUrl()) + "&sessionVariables=wait_timeout=600";

        capture("dropped-link" + suffix, () -> {
            try (FaultProxy proxy = FaultProxy.start(db.host(), db.port());
                    Connection c = connect(db, mode.apply(EmbeddedMariaDb.jdbcUrl(proxy.host(), proxy.port())))) {
                execute(c, "SELECT 1");
                proxy.dropAll();
                execute(c, "SELECT 1");
            }
        });
        capture("refused-connect" + suffix, () -> {
            try (FaultProxy proxy = FaultProxy.start(db.host(), db.port())) {
                proxy.refuse(true);
                connect(db, mode.apply(EmbeddedMariaDb.jdbcUrl(proxy.host(), proxy.port()))).close();
            }
        });
        capture("socket-timeout" + suffix, () -> {
            try (Connection c = connect(db, patient + "&socketTimeout=500")) {
                execute(c, "SELECT SLEEP(2)");
            }
        });
        capture("blackholed-handshake-socket-timeout" + suffix, () -> {
            try (FaultProxy proxy = FaultProxy.start(db.host(), db.port())) {
                proxy.blackhole(true);
                connect(db, mode.apply(EmbeddedMariaDb.jdbcUrl(proxy.host(), proxy.port())) + "&socketTimeout=500").close();
            }
        });
        capture("handshake-cut-by-connect-timeout" + suffix, () -> {
            try (FaultProxy proxy = FaultProxy.start(db.host(), db.port())) {
                proxy.delay(FaultProxy.Direction.CLIENT_TO_SERVER, java.time.Duration.ofSeconds(3));
                connect(db, mode.apply(EmbeddedMariaDb.jdbcUrl(proxy.host(), proxy.port()))).close();
            }
        });
        capture("wait-timeout" + suffix, () -> {
            try (Connection c = connect(db, mode.apply(db.jdbcUrl()))) {
                execute(c, "SELECT 1");
                Thread.sleep(3500);
                execute(c, "SELECT 1");
            }
        });
        capture("packet-too-large-client" + suffix, () -> {
            try (Connection c = connect(db, patient);
                    PreparedStatement insert = c.prepareStatement("SELECT LENGTH(?)")) {
                insert.setBytes(1, new byte[5 * 1024 * 1024]);
                insert.executeQuery().close();
            }
        });
        capture("streaming-net-write-timeout" + suffix, () -> {
            try (Connection c = connect(db, patient + "&netTimeoutForStreamingResults=0");
                    Statement s = c.createStatement()) {
                s.setFetchSize(Integer.MIN_VALUE);
                try (ResultSet rows = s.executeQuery("SELECT payload FROM big")) {
                    rows.next();
                    Thread.sleep(4000);
                    while (rows.next()) {
                        rows.getString(1);
                    }
                }
            }
        });
        capture("kill-query-1317" + suffix, () -> {
            try (Connection c = connect(db, patient)) {
                long id = connectionId(c);
                CompletableFuture<Void> killer = CompletableFuture.runAsync(() -> {
                    sleep(300);
                    db.execute("KILL QUERY " + id);
                });
                try {
                    execute(c, "SELECT * FROM big a, big b WHERE SLEEP(0.01) = 1");
                } finally {
                    killer.join();
                }
            }
        });
        capture("commit-link-lost" + suffix, () -> {
            try (FaultProxy proxy = FaultProxy.start(db.host(), db.port());
                    Connection c = connect(db, mode.apply(EmbeddedMariaDb.jdbcUrl(proxy.host(), proxy.port())))) {
                c.setAutoCommit(false);
                execute(c, "INSERT INTO t VALUES (1)");
                proxy.dropAll();
                c.commit();
            }
        });
        capture("too-many-connections-1040" + suffix, () -> {
            List<Connection> hogs = new ArrayList<>();
            try {
                while (true) {
                    hogs.add(connect(db, patient));
                }
            } finally {
                for (Connection hog : hogs) {
                    hog.close();
                }
            }
        });
        capture("hikari-refused" + suffix, () -> {
            try (FaultProxy proxy = FaultProxy.start(db.host(), db.port());
                    HikariDataSource pool = pool(db, mode.apply(EmbeddedMariaDb.jdbcUrl(proxy.host(), proxy.port())))) {
                proxy.refuse(true);
                pool.getConnection().close();
            }
        });
        capture("hikari-blackholed-handshake" + suffix, () -> {
            try (FaultProxy proxy = FaultProxy.start(db.host(), db.port());
                    HikariDataSource pool = pool(db, mode.apply(EmbeddedMariaDb.jdbcUrl(proxy.host(), proxy.port())))) {
                proxy.blackhole(true);
                pool.getConnection().close();
            }
        });
    }

    /**
     * The failures only TLS has, for real: a trust store without the server's certificate, full verification
     * against the server's self-signed certificate, TLS required by the server but disabled by the client,
     * and (not TLS's fault) a link cut in the middle of the TLS handshake.
     */
    private static void captureTlsConfiguration(EmbeddedMariaDb db) throws Exception {
        String verified = db.jdbcUrl().replace("sslMode=DISABLED", "sslMode=VERIFY_CA");
        Path store = Files.createTempDirectory("linkguard-capture").resolve("other.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "other", "-keyalg", "RSA", "-dname", "CN=other", "-validity", "2",
                "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", "changeit")
                .inheritIO().start();
        if (keytool.waitFor() != 0) {
            throw new IllegalStateException("keytool failed");
        }
        capture("tls-untrusted-server-certificate", () -> connect(db, verified + "&trustCertificateKeyStoreUrl="
                + store.toUri() + "&trustCertificateKeyStoreType=PKCS12&trustCertificateKeyStorePassword=changeit")
                .close());
        capture("tls-handshake-cut", () -> { // the link, not TLS, fails in the middle of the TLS handshake
            try (FaultProxy proxy = FaultProxy.start(db.host(), db.port())) {
                proxy.cutAfter(FaultProxy.Direction.CLIENT_TO_SERVER, 100); // inside the ClientHello
                connect(db, EmbeddedMariaDb.jdbcUrl(proxy.host(), proxy.port())
                        .replace("sslMode=DISABLED", "sslMode=REQUIRED")).close();
            }
        });
        capture("tls-verify-identity-self-signed", () -> connect(db,
                db.jdbcUrl().replace("sslMode=DISABLED", "sslMode=VERIFY_IDENTITY")).close());
        db.execute("SET GLOBAL require_secure_transport = ON");
        try {
            capture("tls-required-by-server", () -> connect(db, db.jdbcUrl()).close());
        } finally {
            try (Connection admin = connect(db, db.jdbcUrl().replace("sslMode=DISABLED", "sslMode=REQUIRED"));
                    Statement statement = admin.createStatement()) {
                statement.execute("SET GLOBAL require_secure_transport = OFF");
            }
        }
    }

    private static void capture(String name, Scenario scenario) throws IOException {
        if (only != null && !name.startsWith(only)) {
            return;
        }
        try {
            scenario.run();
            System.out.println("NOT CAPTURED (no failure): " + name);
        } catch (Exception failure) {
            try (OutputStream file = Files.newOutputStream(OUT.resolve(name + ".ser"));
                    ObjectOutputStream out = new ObjectOutputStream(file)) {
                out.writeObject(failure);
            }
            Files.writeString(OUT.resolve(name + ".txt"), describe(failure), StandardCharsets.UTF_8);
            System.out.println("captured " + name + ": " + failure);
        }
    }

    private static String describe(Throwable failure) {
        StringBuilder text = new StringBuilder();
        for (Throwable each = failure; each != null; each = each.getCause()) {
            text.append(each.getClass().getName());
            if (each instanceof SQLException) {
                SQLException sql = (SQLException) each;
                text.append(" [SQLState ").append(sql.getSQLState()).append(", code ").append(sql.getErrorCode())
                        .append(']');
            }
            text.append(": ").append(each.getMessage()).append("\n");
        }
        return text.toString();
    }

    private static Connection connect(EmbeddedMariaDb db, String url) throws SQLException {
        return DriverManager.getConnection(url, db.user(), db.password());
    }

    private static HikariDataSource pool(EmbeddedMariaDb db, String url) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setUsername(db.user());
        config.setPassword(db.password());
        config.setConnectionTimeout(1000);
        config.setInitializationFailTimeout(-1);
        return new HikariDataSource(config);
    }

    private static void execute(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static long connectionId(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT CONNECTION_ID()")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
