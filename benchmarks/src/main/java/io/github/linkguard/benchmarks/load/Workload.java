package io.github.linkguard.benchmarks.load;

import io.github.linkguard.testkit.EmbeddedMariaDb;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.ThreadLocalRandom;
import javax.sql.DataSource;

/** The application calls the loopback and recovery benchmarks make, and the tables they need. */
public enum Workload {

    /** A primary-key read of one of {@link #ITEMS} rows. */
    PK_READ("primary-key reads") {
        @Override
        public void call(DataSource dataSource) throws SQLException {
            try (Connection connection = dataSource.getConnection();
                    PreparedStatement statement = connection.prepareStatement(
                            "SELECT name, qty FROM bench_item WHERE id = ?")) {
                statement.setLong(1, 1 + ThreadLocalRandom.current().nextInt(ITEMS));
                try (ResultSet rows = statement.executeQuery()) {
                    if (!rows.next()) {
                        throw new SQLException("item missing");
                    }
                    rows.getString(1);
                    rows.getInt(2);
                }
            }
        }
    },

    /** An auto-commit insert of one row. */
    INSERT("auto-commit inserts") {
        @Override
        public void call(DataSource dataSource) throws SQLException {
            try (Connection connection = dataSource.getConnection();
                    PreparedStatement statement = connection.prepareStatement(
                            "INSERT INTO bench_log (name, qty) VALUES (?, ?)")) {
                statement.setString(1, "order");
                statement.setInt(2, ThreadLocalRandom.current().nextInt(1000));
                statement.executeUpdate();
            }
        }
    };

    /** Rows in {@code bench_item}. */
    public static final int ITEMS = 10_000;

    private final String label;

    Workload(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** One application call: borrow, statement, return. */
    public abstract void call(DataSource dataSource) throws SQLException;

    /** Creates and fills the tables (again). */
    public static void createTables(EmbeddedMariaDb server) {
        server.execute("USE " + EmbeddedMariaDb.DATABASE,
                "DROP TABLE IF EXISTS bench_item", "DROP TABLE IF EXISTS bench_log",
                "CREATE TABLE bench_item (id BIGINT PRIMARY KEY, name VARCHAR(64) NOT NULL, qty INT NOT NULL)",
                "CREATE TABLE bench_log (id BIGINT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(64) NOT NULL, "
                        + "qty INT NOT NULL)",
                "INSERT INTO bench_item SELECT seq, CONCAT('item-', seq), seq % 100 FROM seq_1_to_" + ITEMS);
    }
}
