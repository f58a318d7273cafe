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
import java.sql.SQLException;
import java.sql.SQLTransactionRollbackException;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A transaction whose link is lost after its first statement runs again on a fresh link when the replay
 * proves it sees what the application saw (so far: the update counts of a transaction that read nothing),
 * or fails with 40001 when it does not; any other transaction is lost as before. TLS off and on.
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
        }
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
        }
    }

    @ParameterizedTest(name = "TLS {0}")
    @ValueSource(booleans = {false, true})
    void aTransactionThatReadIsNotReplayedYetAndWaitsForRollback(boolean tls, EmbeddedMariaDb db) throws Exception {
        try (Pools.Guarded guarded = guard(db, tls, b -> b); Connection connection = guarded.dataSource().getConnection()) {
            long session = sessionOf(connection);
            connection.setAutoCommit(false);
            assertThat(number(connection, "SELECT v FROM replay_rows WHERE id = 1")).isEqualTo(10);
            execute(connection, "UPDATE replay_rows SET v = 11 WHERE id = 1");
            db.execute("KILL CONNECTION " + session);

            assertThatThrownBy(() -> execute(connection, "UPDATE replay_rows SET v = 21 WHERE id = 2"))
                    .isInstanceOf(SQLException.class);
            assertThatThrownBy(() -> number(connection, "SELECT 1")).hasMessageContaining("rollback()");
            connection.rollback();
            assertThat(number(db, "SELECT SUM(v) FROM test.replay_rows")).isEqualTo(30);
        }
    }

    @Test
    void savepointsAndReplayOffKeepTheTransactionLost(EmbeddedMariaDb db) throws Exception {
        try (Pools.Guarded guarded = guard(db, false, b -> b); Connection connection = guarded.dataSource().getConnection()) {
            long session = sessionOf(connection);
            connection.setAutoCommit(false);
            execute(connection, "UPDATE replay_rows SET v = 11 WHERE id = 1");
            connection.setSavepoint("half");
            db.execute("KILL CONNECTION " + session);
            assertThatThrownBy(() -> execute(connection, "UPDATE replay_rows SET v = 21 WHERE id = 2"))
                    .isInstanceOf(SQLException.class);
            connection.rollback();
        }
        try (Pools.Guarded guarded = guard(db, false, b -> b.transactionReplay(false));
                Connection connection = guarded.dataSource().getConnection()) {
            long session = sessionOf(connection);
            connection.setAutoCommit(false);
            execute(connection, "UPDATE replay_rows SET v = 11 WHERE id = 1");
            db.execute("KILL CONNECTION " + session);
            assertThatThrownBy(() -> execute(connection, "UPDATE replay_rows SET v = 21 WHERE id = 2"))
                    .isInstanceOf(SQLException.class);
            connection.rollback();
        }
        assertThat(number(db, "SELECT SUM(v) FROM test.replay_rows")).isEqualTo(30);
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
}
