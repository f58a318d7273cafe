package io.github.linkguard.examples.demo;

import com.zaxxer.hikari.HikariDataSource;
import io.github.linkguard.Finding;
import io.github.linkguard.Incident;
import io.github.linkguard.LinkGuardDataSource;
import io.github.linkguard.Remedy;
import io.github.linkguard.spring.boot.LinkGuardPreflight;
import io.github.linkguard.testkit.EmbeddedMariaDb;
import io.github.linkguard.testkit.FaultProxy;
import io.github.linkguard.testkit.FaultProxy.Direction;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * Walks through every lost-link failure of the MySQL manual's "Lost connection" section, plus an idle
 * timeout and a server restart, for real, and prints what happened, the cause LinkGuard diagnosed, whether
 * the application saw it, and the recommendation.
 */
@Component
public class LostLinkWalk implements ApplicationRunner {

    /** One line of the walk's table. */
    public record Row(String step, String cause, String outcome, String recommendation) {
    }

    /** A step that loses a link. */
    @FunctionalInterface
    interface Step {
        void run() throws Exception;
    }

    private final DataSource dataSource;
    private final ObjectProvider<EmbeddedMariaDb> database;
    private final ObjectProvider<FaultProxy> proxy;
    private final ConfigurableApplicationContext context;
    private final ObjectProvider<LinkGuardPreflight> preflight;
    private final List<Row> rows = new ArrayList<>();
    private List<Finding> findings = List.of();

    public LostLinkWalk(DataSource dataSource, ObjectProvider<EmbeddedMariaDb> database,
            ObjectProvider<FaultProxy> proxy, ConfigurableApplicationContext context,
            ObjectProvider<LinkGuardPreflight> preflight) {
        this.dataSource = dataSource;
        this.preflight = preflight;
        this.database = database;
        this.proxy = proxy;
        this.context = context;
    }

    /** What LinkGuard's preflight found at start-up, before the walk. */
    public List<Finding> findings() {
        return findings;
    }

    /** The rows of the last walk. */
    public List<Row> rows() {
        return List.copyOf(rows);
    }

    @Override
    public void run(ApplicationArguments args) throws Exception {
        EmbeddedMariaDb db = database.getIfAvailable();
        FaultProxy faults = proxy.getIfAvailable();
        if (db == null || faults == null || !(dataSource instanceof LinkGuardDataSource guarded)) {
            System.out.println("The walk needs the embedded database: run without spring.datasource.url.");
            return;
        }
        LinkGuardPreflight check = preflight.getIfAvailable();
        if (check != null) {
            check.done().get(30, TimeUnit.SECONDS); // before the walk breaks links on purpose
            findings = guarded.lastPreflight();
            printFindings();
        }
        walk(guarded, db, faults);
        print();
        System.out.println("Remedies LinkGuard applied on the way (linkguard.remedies):");
        for (Remedy remedy : guarded.recentRemedies()) {
            System.out.printf("- %s: %s%n", remedy.action(), remedy.reason());
        }
        System.out.println();
        Environment environment = context.getEnvironment();
        if (environment.getProperty("demo.exit-after-walk", Boolean.class, false)) {
            System.exit(SpringApplication.exit(context));
        }
    }

    private void walk(LinkGuardDataSource guarded, EmbeddedMariaDb db, FaultProxy faults) {
        step(guarded, "network drop under a read", () -> {
            try (Connection connection = dataSource.getConnection()) {
                execute(connection, "SELECT 1");
                faults.dropAll();
                execute(connection, "SELECT COUNT(*) FROM files");
            }
        });
        step(guarded, "network drop inside a transaction: replayed", () -> {
            try (Connection connection = dataSource.getConnection()) {
                connection.setAutoCommit(false);
                execute(connection, "INSERT INTO files (content) VALUES ('first of two')");
                faults.dropAll();
                execute(connection, "INSERT INTO files (content) VALUES ('second of two')");
                connection.commit();
            }
        });
        step(guarded, "COMMIT's answer lost after the server committed", () -> {
            try (Connection connection = dataSource.getConnection()) {
                connection.setAutoCommit(false);
                execute(connection, "INSERT INTO files (content) VALUES ('committed once')");
                faults.cutOpenLinksAtNext(Direction.SERVER_TO_CLIENT);
                connection.commit(); // LinkGuard learns on a fresh link that it took effect
            }
        });
        step(guarded, "big streamed result, slow reader, net_write_timeout=2", () -> {
            try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
                statement.setFetchSize(Integer.MIN_VALUE);
                try (ResultSet rows = statement.executeQuery("SELECT payload FROM big")) {
                    rows.next();
                    Thread.sleep(4_000);
                    while (rows.next()) {
                        rows.getString(1);
                    }
                }
            }
        });
        step(guarded, "handshake stalled past connect_timeout=2", () -> {
            dataSource.unwrap(HikariDataSource.class).getHikariPoolMXBean().softEvictConnections();
            faults.delay(Direction.CLIENT_TO_SERVER, Duration.ofSeconds(3));
            try (Connection connection = dataSource.getConnection()) {
                execute(connection, "SELECT 1");
            } finally {
                faults.heal();
            }
        });
        step(guarded, "2 MB BLOB over max_allowed_packet=1M", () -> {
            try (Connection connection = dataSource.getConnection();
                    PreparedStatement insert = connection.prepareStatement("INSERT INTO files (content) VALUES (?)")) {
                insert.setBytes(1, new byte[2 * 1024 * 1024]);
                insert.executeUpdate();
            }
        });
        step(guarded, "connection idle past wait_timeout=3", () -> {
            try (Connection connection = dataSource.getConnection()) {
                execute(connection, "SELECT 1");
                Thread.sleep(4_000);
                execute(connection, "SELECT COUNT(*) FROM files");
            }
        });
        step(guarded, "server restart under an open connection", () -> {
            try (Connection connection = dataSource.getConnection()) {
                execute(connection, "SELECT 1");
                db.restart();
                execute(connection, "SELECT COUNT(*) FROM files");
            }
        });
    }

    private void step(LinkGuardDataSource guarded, String name, Step step) {
        Optional<Incident> before = newest(guarded);
        String outcome;
        try {
            step.run();
            outcome = "recovered";
        } catch (SQLException e) {
            outcome = "surfaced " + e.getSQLState();
        } catch (Exception e) {
            outcome = "error " + e;
        }
        Optional<Incident> incident = newest(guarded).filter(newest -> before.map(old -> old != newest).orElse(true));
        rows.add(new Row(name, incident.map(i -> i.cause().id()).orElse("-"), outcome,
                incident.map(Incident::recommendation).orElse("-")));
    }

    private static Optional<Incident> newest(LinkGuardDataSource guarded) {
        List<Incident> incidents = guarded.recentIncidents();
        return incidents.isEmpty() ? Optional.empty() : Optional.of(incidents.get(0));
    }

    private void printFindings() {
        System.out.println();
        System.out.println("LinkGuard's preflight, before the first lost link (the demo's settings are bad on purpose):");
        for (Finding finding : findings) {
            System.out.printf("- %s (%s): %s%n", finding.id(), finding.severity(), finding);
        }
    }

    private void print() {
        String format = "%-54s | %-18s | %-16s | %s%n";
        System.out.println();
        System.out.printf(format, "what was done", "cause diagnosed", "the application", "recommendation");
        System.out.println("-".repeat(160));
        for (Row row : rows) {
            String advice = row.recommendation().length() > 90 ? row.recommendation().substring(0, 87) + "..."
                    : row.recommendation();
            System.out.printf(format, row.step(), row.cause(), row.outcome(), advice);
        }
        System.out.println();
    }

    private static void execute(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
