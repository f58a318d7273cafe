package io.github.linkguard;

import static io.github.linkguard.Pools.execute;
import static io.github.linkguard.Pools.number;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.github.linkguard.testkit.EmbeddedMariaDb;
import io.github.linkguard.testkit.MariaDbExtension;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Savepoint;
import java.sql.SQLException;
import java.sql.SQLTransactionRollbackException;
import java.sql.Statement;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A transaction whose link is lost after its first statement runs again on a fresh link when the replay
 * proves it sees what the application saw (update counts, the values it read, generated keys; savepoints made
 * again), or fails with 40001 when it does not; any other transaction is lost as before. TLS off and on.
 */
@ExtendWith(MariaDbExtension.class)
@Timeout(60)
class TransactionReplayTest {

    @BeforeAll
    static void createTable(EmbeddedMariaDb db) {
        db.execute("CREATE TABLE IF NOT EXISTS replay_rows (id INT PRIMARY KEY, v INT NOT NULL)");
    }

    @BeforeEach
    void fill(EmbeddedMariaDb db) {
        db.execute("DELETE FROM replay_rows", "INSERT INTO replay_rows VALUES (1, 10), (2, 20)");
    }

    private static Pools.Guarded guard(EmbeddedMariaDb db, boolean tls, UnaryOperator<LinkGuardDataSource.Builder> more) {
        return Pools.guard(Pools.lazyHikari(db, Pools.url(db, tls)), builder -> more.apply(builder.maxAttempts(3)));
    }

    /** The id of the connection's session, read in auto-commit mode so that no transaction sees it. */
    private static long sessionOf(Connection connection) throws SQLException {
        return number(connection, "SELECT CONNECTION_ID()");
    }

    @ParameterizedTest(name = "TLS {0}")
    @ValueSource(booleans = {false, true})
    void writesLostMidWayAreReplayedAndCommittedExactlyOnce(boolean tls, EmbeddedMariaDb db) throws Exception {
        try (Pools.Guarded guarded = guard(db, tls, b -> b); Connection connection = guarded.dataSource().getConnection()) {
            long session = sessionOf(connection);
            connection.setAutoCommit(false);
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO replay_rows VALUES (?, ?)")) {
                insert.setInt(1, 3);
                insert.setInt(2, 30);
                assertThat(insert.executeUpdate()).isEqualTo(1);
                execute(connection, "UPDATE replay_rows SET v = v + 1 WHERE id <= 2");
                db.execute("KILL CONNECTION " + session);

                insert.setInt(1, 4);
                insert.setInt(2, 40);
                assertThat(insert.executeUpdate()).isEqualTo(1); // the lost link: replayed, then this one
            }
            connection.commit();

            assertThat(number(db, "SELECT COUNT(*) FROM test.replay_rows")).isEqualTo(4);
            assertThat(number(db, "SELECT SUM(v) FROM test.replay_rows")).isEqualTo(11 + 21 + 30 + 40);
            assertThat(guarded.registry().find("linkguard.retries").tag("outcome", "recovered").counters()).isNotEmpty();
            assertThat(replays(guarded)).isEqualTo(Map.of("replayed", 1.0, "rolled-back", 0.0, "not-replayed", 0.0));
        }
    }

    /**
     * The fresh link is killed while the replay runs (its statement waiting for a row lock): that link is lost
     * too, and the replay runs again on another one; the transaction commits once.
     */
    @ParameterizedTest(name = "TLS {0}")
    @ValueSource(booleans = {false, true})
    void aReplayWhoseFreshLinkIsKilledRunsAgainOnAnother(boolean tls, EmbeddedMariaDb db) throws Exception {
        String update = "UPDATE replay_rows SET v = v + 1 WHERE id = 1";
        try (Pools.Guarded guarded = guard(db, tls, b -> b); Connection connection = guarded.dataSource().getConnection();
                Connection locker = db.adminConnection()) {
            long session = sessionOf(connection);
            connection.setAutoCommit(false);
            execute(connection, update);
            db.execute("KILL CONNECTION " + session);
            locker.setAutoCommit(false);
            execute(locker, "SELECT v FROM test.replay_rows WHERE id = 1 FOR UPDATE"); // the replay waits for it
            CompletableFuture<Long> replayKilled = CompletableFuture.supplyAsync(() -> Pools.killWhenRunning(locker, update));

            execute(connection, "UPDATE replay_rows SET v = v + 1 WHERE id = 2"); // replayed twice, then this one
            assertThat(replayKilled.get(20, TimeUnit.SECONDS)).as("the session of the first replay, killed")
                    .isNotEqualTo(session);
            connection.commit();

            assertThat(number(db, "SELECT SUM(v) FROM test.replay_rows")).isEqualTo(11 + 21);
            assertThat(replays(guarded)).isEqualTo(Map.of("replayed", 1.0, "rolled-back", 0.0, "not-replayed", 0.0));
        }
    }

    /** The counts of {@code linkguard.replays} by outcome (each registered at start). */
    private static Map<String, Double> replays(Pools.Guarded guarded) {
        Map<String, Double> counts = new TreeMap<>();
        guarded.registry().find("linkguard.replays").counters()
                .forEach(counter -> counts.put(counter.getId().getTag("outcome"), counter.count()));
        return counts;
    }

    @ParameterizedTest(name = "TLS {0}")
    @ValueSource(booleans = {false, true})
    void aReplayThatSeesOtherDataRollsBackAndFailsWith40001(boolean tls, EmbeddedMariaDb db) throws Exception {
        try (Pools.Guarded guarded = guard(db, tls, b -> b); Connection connection = guarded.dataSource().getConnection()) {
            long session = sessionOf(connection);
            connection.setAutoCommit(false);
            execute(connection, "UPDATE replay_rows SET v = v + 100 WHERE id = 1");
            db.execute("KILL CONNECTION " + session);
            // the killed session's transaction is rolled back as it ends; then another session changes the data
            try (Connection other = db.adminConnection()) {
                execute(other, "DELETE FROM test.replay_rows WHERE id = 1");
            }

            assertThatThrownBy(() -> execute(connection, "UPDATE replay_rows SET v = v + 100 WHERE id = 2"))
                    .isInstanceOfSatisfying(SQLTransactionRollbackException.class,
                            e -> assertThat(e.getSQLState()).isEqualTo("40001"))
                    .hasMessageContaining("did not see the same data")
                    .hasMessageContaining("changed 0 rows in the replay, 1 before");

            connection.rollback();
            assertThat(number(db, "SELECT COUNT(*) FROM test.replay_rows")).isEqualTo(1);
            assertThat(number(db, "SELECT SUM(v) FROM test.replay_rows")).isEqualTo(20); // nothing committed
            execute(connection, "UPDATE replay_rows SET v = 21 WHERE id = 2"); // the connection is usable
            connection.commit();
            assertThat(number(db, "SELECT SUM(v) FROM test.replay_rows")).isEqualTo(21);
            assertThat(replays(guarded)).isEqualTo(Map.of("replayed", 0.0, "rolled-back", 1.0, "not-replayed", 0.0));
        }
    }

    @ParameterizedTest(name = "TLS {0}")
    @ValueSource(booleans = {false, true})
    void readsThatReadTheSameValuesAreReplayed(boolean tls, EmbeddedMariaDb db) throws Exception {
        try (Pools.Guarded guarded = guard(db, tls, b -> b); Connection connection = guarded.dataSource().getConnection()) {
            long session = sessionOf(connection);
            connection.setAutoCommit(false);
            connection.setReadOnly(false);
            try (PreparedStatement read = connection.prepareStatement("SELECT id, v, CONCAT('v', v) AS t FROM replay_rows WHERE id = ?")) {
                read.setInt(1, 1);
                try (ResultSet row = read.executeQuery()) {
                    assertThat(row.next()).isTrue();
                    assertThat(row.getInt("v")).isEqualTo(10);
                    assertThat(row.getString(3)).isEqualTo("v10");
                    assertThat(row.getObject(1, Long.class)).isEqualTo(1L);
                    assertThat(row.next()).isFalse();
                }
            }
            execute(connection, "UPDATE replay_rows SET v = 11 WHERE id = 1");
            db.execute("KILL CONNECTION " + session);

            execute(connection, "UPDATE replay_rows SET v = 21 WHERE id = 2"); // the lost link: replayed, then this one
            connection.commit();
            assertThat(number(db, "SELECT SUM(v) FROM test.replay_rows")).isEqualTo(32);
            assertThat(guarded.registry().find("linkguard.retries").tag("outcome", "recovered").counters()).isNotEmpty();
        }
    }

    @ParameterizedTest(name = "TLS {0}")
    @ValueSource(booleans = {false, true})
    void aReplayThatReadsOtherValuesRollsBackAndFailsWith40001(boolean tls, EmbeddedMariaDb db) throws Exception {
        try (Pools.Guarded guarded = guard(db, tls, b -> b); Connection connection = guarded.dataSource().getConnection()) {
            long session = sessionOf(connection);
            connection.setAutoCommit(false);
            long v = number(connection, "SELECT v FROM replay_rows WHERE id = 1");
            execute(connection, "UPDATE replay_rows SET v = " + (v + 5) + " WHERE id = 2"); // a write made of what it read
            db.execute("KILL CONNECTION " + session);
            try (Connection other = db.adminConnection()) {
                execute(other, "UPDATE test.replay_rows SET v = 99 WHERE id = 1"); // same rows, another value
            }

            assertThatThrownBy(() -> execute(connection, "UPDATE replay_rows SET v = v + 1 WHERE id = 1"))
                    .isInstanceOfSatisfying(SQLTransactionRollbackException.class,
                            e -> assertThat(e.getSQLState()).isEqualTo("40001"))
                    .hasMessageContaining("statement 1 of 2 read other values in the replay");
            connection.rollback();
            assertThat(number(db, "SELECT v FROM test.replay_rows WHERE id = 2")).isEqualTo(20); // nothing committed
        }
    }

    @Test
    void aResultStillOpenContinuesOnTheReplaysResultAtTheSameRow(EmbeddedMariaDb db) throws Exception {
        try (Pools.Guarded guarded = guard(db, false, b -> b); Connection connection = guarded.dataSource().getConnection()) {
            long session = sessionOf(connection);
            connection.setAutoCommit(false);
            try (Statement query = connection.createStatement();
                    ResultSet rows = query.executeQuery("SELECT id, v FROM replay_rows ORDER BY id")) {
                assertThat(rows.next()).isTrue();
                assertThat(rows.getInt(2)).isEqualTo(10);
                db.execute("KILL CONNECTION " + session);
                execute(connection, "UPDATE replay_rows SET v = v + 1 WHERE id = 1"); // replayed: the query, then this

                assertThat(rows.next()).isTrue(); // the application's loop goes on, on the replay's result
                assertThat(rows.getInt("id")).isEqualTo(2);
                assertThat(rows.getInt("v")).isEqualTo(20);
                assertThat(rows.next()).isFalse();
            }
            connection.commit();
            assertThat(number(db, "SELECT SUM(v) FROM test.replay_rows")).isEqualTo(31);
        }
    }

    @ParameterizedTest(name = "TLS {0}")
    @ValueSource(booleans = {false, true})
    void generatedKeysAreTheSameAfterTheReplay(boolean tls, EmbeddedMariaDb db) throws Exception {
        db.execute("CREATE TABLE IF NOT EXISTS replay_orders (id BIGINT AUTO_INCREMENT PRIMARY KEY, item VARCHAR(20))",
                "CREATE TABLE IF NOT EXISTS replay_lines (order_id BIGINT NOT NULL, qty INT NOT NULL)");
        try (Pools.Guarded guarded = guard(db, tls, b -> b); Connection connection = guarded.dataSource().getConnection()) {
            long session = sessionOf(connection);
            connection.setAutoCommit(false);
            long orderId;
            try (PreparedStatement order = connection.prepareStatement("INSERT INTO replay_orders (item) VALUES (?)",
                    Statement.RETURN_GENERATED_KEYS)) {
                order.setString(1, "tea " + tls);
                order.executeUpdate();
                try (ResultSet keys = order.getGeneratedKeys()) {
                    assertThat(keys.next()).isTrue();
                    orderId = keys.getLong(1);
                }
            }
            try (PreparedStatement line = connection.prepareStatement("INSERT INTO replay_lines VALUES (?, ?)")) {
                line.setLong(1, orderId); // the key the application saw, used as data
                line.setInt(2, 1);
                line.executeUpdate();
                db.execute("KILL CONNECTION " + session);
                try (Connection other = db.adminConnection()) { // another insert takes the next key meanwhile
                    execute(other, "INSERT INTO test.replay_orders (item) VALUES ('other')");
                }
                line.setInt(2, 2);
                line.executeUpdate(); // replayed: the order gets the key the application saw, then this line
            }
            connection.commit();
            assertThat(number(db, "SELECT COUNT(*) FROM test.replay_orders WHERE item = 'tea " + tls + "' AND id = "
                    + orderId)).isEqualTo(1);
            assertThat(number(db, "SELECT COUNT(*) FROM test.replay_lines WHERE order_id = " + orderId)).isEqualTo(2);
        }
    }

    @Test
    void savepointsAreReplayed(EmbeddedMariaDb db) throws Exception {
        try (Pools.Guarded guarded = guard(db, false, b -> b); Connection connection = guarded.dataSource().getConnection()) {
            long session = sessionOf(connection);
            connection.setAutoCommit(false);
            execute(connection, "UPDATE replay_rows SET v = 11 WHERE id = 1");
            Savepoint half = connection.setSavepoint("half");
            execute(connection, "UPDATE replay_rows SET v = 99 WHERE id = 2");
            connection.rollback(half);
            Savepoint unnamed = connection.setSavepoint();
            db.execute("KILL CONNECTION " + session);

            execute(connection, "UPDATE replay_rows SET v = 21 WHERE id = 2"); // replayed, savepoints and all
            connection.rollback(unnamed); // the savepoint exists on the fresh link
            execute(connection, "UPDATE replay_rows SET v = 22 WHERE id = 2");
            connection.releaseSavepoint(half);
            connection.commit();
        }
        assertThat(number(db, "SELECT SUM(v) FROM test.replay_rows")).isEqualTo(11 + 22);
    }

    @Test
    void aStreamReadFromAResultIsNotReplayedAndSaysWhy(EmbeddedMariaDb db) throws Exception {
        try (Pools.Guarded guarded = guard(db, false, b -> b); Connection connection = guarded.dataSource().getConnection()) {
            long session = sessionOf(connection);
            connection.setAutoCommit(false);
            try (Statement query = connection.createStatement();
                    ResultSet row = query.executeQuery("SELECT CONCAT('v', v) FROM replay_rows WHERE id = 1")) {
                assertThat(row.next()).isTrue();
                assertThat(row.getCharacterStream(1)).isNotNull();
            }
            execute(connection, "UPDATE replay_rows SET v = 11 WHERE id = 1");
            db.execute("KILL CONNECTION " + session);

            assertThatThrownBy(() -> execute(connection, "UPDATE replay_rows SET v = 21 WHERE id = 2"))
                    .isInstanceOf(SQLException.class);
            assertThatThrownBy(() -> number(connection, "SELECT 1")).hasMessageContaining("rollback()")
                    .hasMessageContaining("not replayed: it read a stream or LOB from a result");
            connection.rollback();
            assertThat(number(db, "SELECT SUM(v) FROM test.replay_rows")).isEqualTo(30);
        }
    }

    /** A stream bound to a statement was read when it ran: bound again on a fresh link, it would send nothing. */
    @Test
    void aStreamBoundToAStatementIsNotReplayedAndSaysWhy(EmbeddedMariaDb db) throws Exception {
        db.execute("CREATE TABLE IF NOT EXISTS replay_blobs (id INT PRIMARY KEY, b BLOB)", "DELETE FROM replay_blobs");
        try (Pools.Guarded guarded = guard(db, false, b -> b); Connection connection = guarded.dataSource().getConnection()) {
            long session = sessionOf(connection);
            connection.setAutoCommit(false);
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO replay_blobs VALUES (1, ?)")) {
                insert.setBinaryStream(1, new java.io.ByteArrayInputStream(new byte[] {1, 2, 3}), 3L);
                assertThat(insert.executeUpdate()).isEqualTo(1);
            }
            db.execute("KILL CONNECTION " + session);

            assertThatThrownBy(() -> execute(connection, "UPDATE replay_rows SET v = 21 WHERE id = 2"))
                    .isInstanceOf(SQLException.class);
            assertThatThrownBy(() -> number(connection, "SELECT 1")).hasMessageContaining("rollback()")
                    .hasMessageContaining("not replayed: a statement had a stream bound, which cannot be read twice");
            connection.rollback();
        }
        assertThat(number(db, "SELECT COUNT(*) FROM test.replay_blobs")).isZero();
    }

    @Test
    void replayOffKeepsTheTransactionLost(EmbeddedMariaDb db) throws Exception {
        try (Pools.Guarded guarded = guard(db, false, b -> b.transactionReplay(false));
                Connection connection = guarded.dataSource().getConnection()) {
            long session = sessionOf(connection);
            connection.setAutoCommit(false);
            execute(connection, "UPDATE replay_rows SET v = 11 WHERE id = 1");
            db.execute("KILL CONNECTION " + session);
            assertThatThrownBy(() -> execute(connection, "UPDATE replay_rows SET v = 21 WHERE id = 2"))
                    .isInstanceOf(SQLException.class);
            assertThatThrownBy(() -> number(connection, "SELECT 1")).hasMessageContaining("not replayed: transaction replay is off");
            connection.rollback();
            assertThat(replays(guarded)).isEqualTo(Map.of("replayed", 0.0, "rolled-back", 0.0, "not-replayed", 1.0));
        }
        assertThat(number(db, "SELECT SUM(v) FROM test.replay_rows")).isEqualTo(30);
    }

    /**
     * Frameworks read and clear warnings and reset settings as they let a connection go (Hibernate clears
     * warnings after a failed transaction, before Spring's rollback() reaches the connection; Spring then resets
     * read-only, isolation and auto-commit): a lost link's warnings went with it, and the settings wait for the
     * fresh link, made when a call needs one. Before, each of those calls made a fresh link (waiting for the pool
     * while the server was away) or, with the lost transaction not yet rolled back, failed with 40000.
     */
    @ParameterizedTest(name = "TLS {0}, in a transaction {1}")
    @CsvSource({"false,true", "true,true", "false,false", "true,false"})
    void aLostLinkIsLetGoOfWithoutAFreshLink(boolean tls, boolean transactions, EmbeddedMariaDb db) throws Exception {
        HikariDataSource pool = Pools.lazyHikari(db, Pools.url(db, tls));
        try (Pools.Guarded guarded = Pools.guard(pool, b -> b.transactionReplay(false));
                Connection connection = guarded.dataSource().getConnection();
                Statement statement = connection.createStatement()) {
            long session = sessionOf(connection);
            connection.setAutoCommit(!transactions);
            statement.execute("UPDATE replay_rows SET v = 11 WHERE id = 1");
            db.execute("KILL CONNECTION " + session);
            // lost: in a transaction not replayed (40000 until rollback), in auto-commit a write of unknown outcome
            assertThatThrownBy(() -> statement.execute("UPDATE replay_rows SET v = 21 WHERE id = 2"))
                    .isInstanceOf(SQLException.class);

            assertThat((Object) statement.getWarnings()).isNull();
            statement.clearWarnings();
            assertThat((Object) connection.getWarnings()).isNull();
            connection.clearWarnings();
            assertThat(pool.getHikariPoolMXBean().getActiveConnections()).as("links in use").isZero();
            if (transactions) {
                connection.rollback();
            }
            connection.clearWarnings();
            connection.setReadOnly(true);
            connection.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
            connection.setAutoCommit(true);
            assertThat(pool.getHikariPoolMXBean().getActiveConnections()).as("links in use").isZero();

            // a fresh link, made so: the lost transaction rolled back, the killed session's write never run
            assertThat(number(connection, "SELECT v FROM replay_rows WHERE id = 1")).isEqualTo(transactions ? 10 : 11);
            assertThat(number(connection, "SELECT v FROM replay_rows WHERE id = 2")).isEqualTo(20);
            assertThat(number(connection, "SELECT @@session.transaction_read_only")).isEqualTo(1);
            assertThat(number(connection, "SELECT @@session.transaction_isolation = 'READ-COMMITTED'")).isEqualTo(1);
            assertThat(number(connection, "SELECT @@session.autocommit")).isEqualTo(1);
        }
    }

    @Test
    void aTransactionOverTheBoundsIsNotReplayed(EmbeddedMariaDb db) throws Exception {
        try (Pools.Guarded guarded = guard(db, false, b -> b.replayBounds(2, 1024 * 1024));
                Connection connection = guarded.dataSource().getConnection()) {
            long session = sessionOf(connection);
            connection.setAutoCommit(false);
            for (int i = 0; i < 3; i++) {
                execute(connection, "UPDATE replay_rows SET v = v + 1 WHERE id = 1");
            }
            db.execute("KILL CONNECTION " + session);
            assertThatThrownBy(() -> execute(connection, "UPDATE replay_rows SET v = 21 WHERE id = 2"))
                    .isInstanceOf(SQLException.class);
            connection.rollback();
        }
        assertThatThrownBy(() -> LinkGuardDataSource.builder(new HikariDataSource()).replayBounds(0, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 1, was 0");
    }

    /** A listing read one query at a time, as a REST service loads a list and then each item's children. */
    private static long listing(Connection connection, int children) throws SQLException {
        long sum = number(connection, "SELECT SUM(v) FROM replay_rows");
        try (PreparedStatement child = connection.prepareStatement("SELECT v FROM replay_rows WHERE id = ?")) {
            for (int i = 0; i < children; i++) {
                child.setInt(1, 1 + i % 2);
                try (ResultSet row = child.executeQuery()) {
                    assertThat(row.next()).isTrue();
                    sum += row.getInt(1);
                }
            }
        }
        return sum;
    }

    @ParameterizedTest(name = "TLS {0}")
    @ValueSource(booleans = {false, true})
    void aReadOnlyListingOfHundredsOfQueriesStaysReplayableWithinTheDefaultBounds(boolean tls, EmbeddedMariaDb db)
            throws Exception {
        try (Pools.Guarded guarded = guard(db, tls, b -> b); Connection connection = guarded.dataSource().getConnection()) {
            long session = sessionOf(connection);
            connection.setReadOnly(true);
            connection.setAutoCommit(false);
            assertThat(listing(connection, 400)).isEqualTo(30 + 200 * 30); // 401 queries, over 256
            db.execute("KILL CONNECTION " + session);

            assertThat(listing(connection, 2)).isEqualTo(60); // the lost link: replayed, then this
            connection.commit();
            assertThat(guarded.registry().find("linkguard.retries").tag("outcome", "recovered").counters()).isNotEmpty();
            connection.setAutoCommit(true);
            connection.setReadOnly(false);
        }
    }

    @Test
    void queriesAreBoundedByTheSizeTheyKeep(EmbeddedMariaDb db) throws Exception {
        try (Pools.Guarded guarded = guard(db, false, b -> b.replayBounds(2, 16 * 1024));
                Connection connection = guarded.dataSource().getConnection()) {
            long session = sessionOf(connection);
            connection.setAutoCommit(false);
            listing(connection, 200); // far over 16 KiB with what each query keeps
            db.execute("KILL CONNECTION " + session);
            assertThatThrownBy(() -> listing(connection, 1)).isInstanceOf(SQLException.class);
            assertThatThrownBy(() -> number(connection, "SELECT 1"))
                    .hasMessageContaining("not replayed: it is longer than the replay keeps (2 statements other than "
                            + "queries, 16384 bytes)");
            connection.rollback();
        }
    }
}
