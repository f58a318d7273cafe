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
            try (Connection connection = dataSource.getConnection()) {
                readItem(connection);
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
    },

    /**
     * A read-only transaction as Spring's {@code @Transactional(readOnly = true)} runs it: auto-commit off,
     * read-only on, three primary-key reads, commit, both settings back.
     */
    READ_ONLY_TRANSACTION("@Transactional(readOnly) 3 reads") {
        @Override
        public void call(DataSource dataSource) throws SQLException {
            try (Connection connection = dataSource.getConnection()) {
                connection.setAutoCommit(false);
                connection.setReadOnly(true);
                for (int read = 0; read < 3; read++) {
                    readItem(connection);
                }
                connection.commit();
                connection.setReadOnly(false);
                connection.setAutoCommit(true);
            }
        }
    },

    /**
     * A read-write transaction as Spring's {@code @Transactional} runs it: auto-commit off, a primary-key
     * read, an insert and an update, commit, auto-commit back on.
     */
    READ_WRITE_TRANSACTION("@Transactional read + insert + update") {
        @Override
        public void call(DataSource dataSource) throws SQLException {
            try (Connection connection = dataSource.getConnection()) {
                connection.setAutoCommit(false);
                long id = readItem(connection);
                try (PreparedStatement insert = connection.prepareStatement(
                        "INSERT INTO bench_log (name, qty) VALUES (?, ?)")) {
                    insert.setString(1, "order");
                    insert.setInt(2, 1);
                    insert.executeUpdate();
                }
                try (PreparedStatement update = connection.prepareStatement(
                        "UPDATE bench_item SET qty = qty + 1 WHERE id = ?")) {
                    update.setLong(1, id);
                    update.executeUpdate();
                }
                connection.commit();
                connection.setAutoCommit(true);
            }
        }
    };

    /** Rows in {@code bench_item}. */
    public static final int ITEMS = 10_000;

    private final String label;
    private final boolean transaction;

    Workload(String label) {
        this.label = label;
        this.transaction = label.startsWith("@Transactional");
    }

    public String label() {
        return label;
    }

    /** One application call: borrow, statement(s), return. */
    public abstract void call(DataSource dataSource) throws SQLException;

    /** Whether the call is a transaction (auto-commit off), where LinkGuard keeps what it needs for a replay. */
    public boolean transaction() {
        return transaction;
    }

    /** Reads one random item by primary key, as an application reads it: returns its id. */
    static long readItem(Connection connection) throws SQLException {
        long id = 1 + ThreadLocalRandom.current().nextInt(ITEMS);
        try (PreparedStatement statement = connection.prepareStatement("SELECT name, qty FROM bench_item WHERE id = ?")) {
            statement.setLong(1, id);
            try (ResultSet rows = statement.executeQuery()) {
                if (!rows.next()) {
                    throw new SQLException("item missing");
                }
                rows.getString(1);
                rows.getInt(2);
            }
        }
        return id;
    }

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
