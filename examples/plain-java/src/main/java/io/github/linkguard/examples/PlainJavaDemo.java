package io.github.linkguard.examples;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.linkguard.Diagnosis;
import io.github.linkguard.LinkGuardDataSource;
import io.github.linkguard.testkit.EmbeddedMariaDb;
import io.github.linkguard.testkit.FaultProxy;
import io.github.linkguard.testkit.FaultProxy.Direction;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/**
 * LinkGuard without Spring: wraps a HikariCP pool, loses links for real on an embedded MariaDB (behind a
 * fault-injecting proxy) and prints what LinkGuard says about each.
 */
public final class PlainJavaDemo {

    /** A step that should lose the link. */
    @FunctionalInterface
    interface Failure {
        void run() throws Exception;
    }

    public static void main(String[] args) throws Exception {
        System.out.println("Starting an embedded MariaDB (about 10 s)...");
        try (EmbeddedMariaDb db = EmbeddedMariaDb.builder()
                        .serverVariable("connect_timeout", 2)
                        .serverVariable("wait_timeout", 3)
                        .serverVariable("max_allowed_packet", 1024 * 1024)
                        .start();
                FaultProxy proxy = FaultProxy.start(db.host(), db.port())) {
            db.execute("CREATE TABLE files (id INT PRIMARY KEY AUTO_INCREMENT, content LONGBLOB)");

            HikariConfig config = new HikariConfig();
            config.setJdbcUrl(EmbeddedMariaDb.jdbcUrl(proxy.host(), proxy.port()));
            config.setUsername(db.user());
            config.setPassword(db.password());
            config.setPoolName("demo");
            config.setConnectionTimeout(3_000);
            config.setMinimumIdle(0);
            SimpleMeterRegistry registry = new SimpleMeterRegistry();

            // in place of new HikariDataSource(config): LinkGuard makes the pool and sits under it too
            try (LinkGuardDataSource dataSource = LinkGuardDataSource.hikari(config)
                    .meterRegistry(registry)
                    .retryBudget(Duration.ofSeconds(10))
                    .build()) {

                show("1. The network drops the link under a read", () -> {
                    try (Connection connection = dataSource.getConnection()) {
                        execute(connection, "SELECT 1");
                        proxy.dropAll();
                        execute(connection, "SELECT COUNT(*) FROM files");
                    }
                });

                show("2. The network drops the link under a write", () -> {
                    try (Connection connection = dataSource.getConnection()) {
                        execute(connection, "SELECT 1");
                        proxy.dropAll();
                        execute(connection, "INSERT INTO files (content) VALUES ('x')");
                    }
                });

                show("3. A 2 MB BLOB meets max_allowed_packet = 1 MB", () -> {
                    try (Connection connection = dataSource.getConnection();
                            PreparedStatement insert = connection.prepareStatement("INSERT INTO files (content) VALUES (?)")) {
                        insert.setBytes(1, new byte[2 * 1024 * 1024]);
                        insert.executeUpdate();
                    }
                });

                show("4. A handshake stalls past the server's connect_timeout = 2 s", () -> {
                    // a new connection must be made: empty the pool, then slow the client's side of the handshake
                    dataSource.unwrap(HikariDataSource.class).getHikariPoolMXBean().softEvictConnections();
                    proxy.delay(Direction.CLIENT_TO_SERVER, Duration.ofSeconds(3));
                    try (Connection connection = dataSource.getConnection()) {
                        execute(connection, "SELECT 1");
                    } finally {
                        proxy.heal();
                    }
                });

                show("5. A connection sits idle past the server's wait_timeout = 3 s", () -> {
                    try (Connection connection = dataSource.getConnection()) {
                        execute(connection, "SELECT 1");
                        Thread.sleep(4_000);
                        execute(connection, "SELECT 1");
                    }
                });

                System.out.println("\n=== Metrics");
                for (String name : new String[] {"linkguard.failures", "linkguard.retries"}) {
                    for (Counter counter : registry.find(name).counters()) {
                        System.out.printf("%s %s = %.0f%n", name, counter.getId().getTags(), counter.count());
                    }
                }
            }
        }
    }

    private static void show(String title, Failure failure) {
        System.out.println("\n=== " + title);
        try {
            failure.run();
            System.out.println("-> the application saw no error: LinkGuard recovered (see the log lines above)");
        } catch (SQLException e) {
            System.out.println("-> the application caught " + e.getClass().getSimpleName() + ", SQLState "
                    + e.getSQLState() + ": " + e.getMessage().lines().findFirst().orElse(""));
            System.out.println("   Diagnosis.of(e): " + Diagnosis.of(e).map(Diagnosis::toString).orElse("none"));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void execute(Connection connection, String sql) throws Exception {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
