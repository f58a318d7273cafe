package io.github.linkguard;

import static io.github.linkguard.Pools.execute;
import static io.github.linkguard.Pools.number;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mysql.cj.jdbc.JdbcConnection;
import io.github.linkguard.testkit.EmbeddedMariaDb;
import io.github.linkguard.testkit.MariaDbExtension;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLTransactionRollbackException;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A transaction that ran a batch (JdbcTemplate.batchUpdate, Hibernate with hibernate.jdbc.batch_size) survives a
 * lost link like one of single statements: the batch is replayed with proof (each statement's update count
 * compared), a batch lost as it runs runs again after the replay, a batch queued when the link is lost is
 * queued again on the fresh link, and the COMMIT is resolved. With and without Connector/J's
 * {@code rewriteBatchedStatements}, TLS off and on.
 */
@ExtendWith(MariaDbExtension.class)
@Timeout(60)
class BatchReplayTest {

    private static final String REWRITE = "&rewriteBatchedStatements=true";

    @BeforeAll
    static void createTable(EmbeddedMariaDb db) {
        db.execute("CREATE TABLE IF NOT EXISTS batch_rows (id INT PRIMARY KEY, v INT NOT NULL)");
    }

    @BeforeEach
    void fill(EmbeddedMariaDb db) {
        db.execute("DELETE FROM batch_rows", "INSERT INTO batch_rows VALUES (1, 10), (2, 20)");
    }

    private static Pools.Guarded guard(EmbeddedMariaDb db, boolean tls, boolean rewrite) {
        return Pools.guard(Pools.lazyHikari(db, Pools.url(db, tls) + (rewrite ? REWRITE : "")),
                builder -> builder.maxAttempts(3));
    }

    private static long sessionOf(Connection connection) throws SQLException {
        return number(connection, "SELECT CONNECTION_ID()");
    }

    /** Queues inserts of ids {@code from} to {@code to} (value ten times the id) on {@code insert}. */
    private static void queueInserts(PreparedStatement insert, int from, int to) throws SQLException {
        for (int id = from; id <= to; id++) {
            insert.setInt(1, id);
            insert.setInt(2, id * 10);
            insert.addBatch();
        }
    }

    private static void assertRows(EmbeddedMariaDb db, int count, long sum) throws SQLException {
        assertThat(number(db, "SELECT COUNT(*) FROM test.batch_rows")).isEqualTo(count);
        assertThat(number(db, "SELECT SUM(v) FROM test.batch_rows")).isEqualTo(sum);
    }

    private static double replays(Pools.Guarded guarded) {
        return guarded.registry().find("linkguard.retries").tag("outcome", "recovered").counters().stream()
                .mapToDouble(c -> c.count()).sum();
    }

    /**
     * The batch lost as it ran runs again after the replay, and the fresh link is killed during that run (the
     * batch waiting for a row lock): Connector/J, clearing the batch of the statement its broken connection
     * closed, throws "No operations allowed after statement closed" (S1009) in place of the link's failure, which
     * reached the application before (seen under repeated kills in the JPA example). Another fresh link does it.
     */
    @ParameterizedTest(name = "TLS {0}")
    @CsvSource({"false", "true"})
    void aBatchWhoseRunAgainLosesItsFreshLinkRunsOnAnother(boolean tls, EmbeddedMariaDb db) throws Exception {
        String update = "UPDATE batch_rows SET v = v + 1 WHERE id = 2";
        try (Pools.Guarded guarded = guard(db, tls, false); Connection connection = guarded.dataSource().getConnection();
                Connection locker = db.adminConnection()) {
            long session = sessionOf(connection);
            connection.setAutoCommit(false);
            execute(connection, "UPDATE batch_rows SET v = v + 1 WHERE id = 1");
            db.execute("KILL CONNECTION " + session);
            locker.setAutoCommit(false);
            execute(locker, "SELECT v FROM test.batch_rows WHERE id = 2 FOR UPDATE"); // the batch waits for it
            CompletableFuture<Long> runKilled = CompletableFuture.supplyAsync(() -> Pools.killWhenRunning(locker, update));
            try (PreparedStatement batch = connection.prepareStatement(update)) {
                batch.addBatch();
                batch.addBatch();
                assertThat(batch.executeBatch()).containsExactly(1, 1); // lost, replayed, run again twice
            }
            assertThat(runKilled.get(20, TimeUnit.SECONDS)).as("the fresh link's session, killed").isNotEqualTo(session);
            connection.commit();
        }
        assertRows(db, 2, 11 + 22);
    }

    @ParameterizedTest(name = "TLS {0}, rewriteBatchedStatements {1}")
    @CsvSource({"false,false", "true,false", "false,true", "true,true"})
    void aTransactionThatRanABatchIsReplayedAndCommittedOnce(boolean tls, boolean rewrite, EmbeddedMariaDb db)
            throws Exception {
        try (Pools.Guarded guarded = guard(db, tls, rewrite); Connection connection = guarded.dataSource().getConnection()) {
            long session = sessionOf(connection);
            connection.setAutoCommit(false);
            execute(connection, "UPDATE batch_rows SET v = v + 1 WHERE id = 1");
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO batch_rows VALUES (?, ?)")) {
                queueInserts(insert, 3, 7);
                assertThat(insert.executeBatch()).hasSize(5);
            }
            db.execute("KILL CONNECTION " + session);
            execute(connection, "UPDATE batch_rows SET v = v + 1 WHERE id = 2"); // replayed first, the batch in it
            connection.commit();
            assertThat(replays(guarded)).isPositive();
        }
        assertRows(db, 7, 11 + 21 + 30 + 40 + 50 + 60 + 70);
    }

    /**
     * A batch lost as it runs runs again after the replay, the statement goes on on the fresh link, and the batch
     * that ran again is kept for the next replay like one that ran at once: the link lost once more before
     * COMMIT, the whole transaction is replayed and committed. It was not kept before ("it ran a batch that
     * cannot be queued again"), and that COMMIT failed with 40000: seen in the JPA example under repeated kills
     * (Hibernate's batch lost at flush, then its COMMIT).
     */
    @ParameterizedTest(name = "TLS {0}, rewriteBatchedStatements {1}")
    @CsvSource({"false,false", "true,false", "false,true", "true,true"})
    void aBatchLostAsItRunsRunsAgainAfterTheReplay(boolean tls, boolean rewrite, EmbeddedMariaDb db) throws Exception {
        try (Pools.Guarded guarded = guard(db, tls, rewrite); Connection connection = guarded.dataSource().getConnection()) {
            long session = sessionOf(connection);
            connection.setAutoCommit(false);
            execute(connection, "UPDATE batch_rows SET v = v + 1 WHERE id = 1");
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO batch_rows VALUES (?, ?)")) {
                queueInserts(insert, 3, 5);
                db.execute("KILL CONNECTION " + session);
                assertThat(insert.executeBatch()).hasSize(3);
                queueInserts(insert, 6, 6); // the statement goes on, on the fresh link
                assertThat(insert.executeBatch()).hasSize(1);
            }
            // the fresh link's session, read without a statement in the transaction
            db.execute("KILL CONNECTION " + connection.unwrap(JdbcConnection.class).getId());
            connection.commit(); // lost, replayed with both batches, committed
        }
        assertRows(db, 6, 11 + 20 + 30 + 40 + 50 + 60);
    }

    @ParameterizedTest(name = "TLS {0}, rewriteBatchedStatements {1}")
    @CsvSource({"false,false", "true,true"})
    void aBatchThatIsTheFirstStatementOfItsTransactionRunsAgain(boolean tls, boolean rewrite, EmbeddedMariaDb db)
            throws Exception {
        try (Pools.Guarded guarded = guard(db, tls, rewrite); Connection connection = guarded.dataSource().getConnection()) {
            long session = sessionOf(connection);
            connection.setAutoCommit(false);
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO batch_rows VALUES (?, ?)")) {
                queueInserts(insert, 3, 4);
                db.execute("KILL CONNECTION " + session);
                assertThat(insert.executeBatch()).hasSize(2);
            }
            connection.commit();
        }
        assertRows(db, 4, 10 + 20 + 30 + 40);
    }

    @ParameterizedTest(name = "TLS {0}")
    @CsvSource({"false", "true"})
    void aPlainStatementsBatchIsReplayed(boolean tls, EmbeddedMariaDb db) throws Exception {
        try (Pools.Guarded guarded = guard(db, tls, false); Connection connection = guarded.dataSource().getConnection()) {
            long session = sessionOf(connection);
            connection.setAutoCommit(false);
            try (Statement batch = connection.createStatement()) {
                batch.addBatch("INSERT INTO batch_rows VALUES (3, 30)");
                batch.addBatch("UPDATE batch_rows SET v = v + 1 WHERE id <= 2");
                assertThat(batch.executeBatch()).containsExactly(1, 2);
            }
            db.execute("KILL CONNECTION " + session);
            execute(connection, "INSERT INTO batch_rows VALUES (4, 40)");
            connection.commit();
        }
        assertRows(db, 4, 11 + 21 + 30 + 40);
    }

    /** The link is lost by another statement while a batch is queued: the batch is queued again on the fresh link. */
    @Test
    void aBatchQueuedWhenTheLinkIsLostIsQueuedAgain(EmbeddedMariaDb db) throws Exception {
        try (Pools.Guarded guarded = guard(db, false, false); Connection connection = guarded.dataSource().getConnection()) {
            long session = sessionOf(connection);
            connection.setAutoCommit(false);
            execute(connection, "UPDATE batch_rows SET v = v + 1 WHERE id = 1");
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO batch_rows VALUES (?, ?)")) {
                queueInserts(insert, 3, 4);
                db.execute("KILL CONNECTION " + session);
                execute(connection, "UPDATE batch_rows SET v = v + 1 WHERE id = 2"); // lost, replayed
                assertThat(insert.executeBatch()).hasSize(2);
            }
            connection.commit();
        }
        assertRows(db, 4, 11 + 21 + 30 + 40);
    }

    /** A batch whose statements change other rows in the replay than before: 40001, nothing committed. */
    @ParameterizedTest(name = "TLS {0}")
    @CsvSource({"false", "true"})
    void aBatchThatChangesOtherRowsInTheReplayFailsWith40001(boolean tls, EmbeddedMariaDb db) throws Exception {
        try (Pools.Guarded guarded = guard(db, tls, false); Connection connection = guarded.dataSource().getConnection()) {
            long session = sessionOf(connection);
            connection.setAutoCommit(false);
            execute(connection, "UPDATE batch_rows SET v = v + 1 WHERE id = 2");
            try (PreparedStatement update = connection.prepareStatement("UPDATE batch_rows SET v = v + 100 WHERE id = ?")) {
                update.setInt(1, 1);
                update.addBatch();
                update.setInt(1, 2);
                update.addBatch();
                assertThat(update.executeBatch()).containsExactly(1, 1);
            }
            db.execute("KILL CONNECTION " + session);
            try (Connection other = db.adminConnection()) {
                execute(other, "DELETE FROM test.batch_rows WHERE id = 1");
            }
            assertThatThrownBy(() -> execute(connection, "INSERT INTO batch_rows VALUES (3, 30)"))
                    .isInstanceOfSatisfying(SQLTransactionRollbackException.class,
                            e -> assertThat(e.getSQLState()).isEqualTo("40001"))
                    .hasMessageContaining("changed [0, 1] rows in the replay, [1, 1] before");
            connection.rollback();
        }
        assertRows(db, 1, 20);
    }

    /** A batch lost in auto-commit mode may have committed part of itself: not run again, 08007. */
    @Test
    void aBatchLostInAutoCommitModeIsNotRunAgain(EmbeddedMariaDb db) throws Exception {
        try (Pools.Guarded guarded = guard(db, false, false); Connection connection = guarded.dataSource().getConnection()) {
            long session = sessionOf(connection);
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO batch_rows VALUES (?, ?)")) {
                queueInserts(insert, 3, 4);
                db.execute("KILL CONNECTION " + session);
                assertThatThrownBy(insert::executeBatch).isInstanceOf(SQLException.class)
                        .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("08007");
            }
        }
        assertRows(db, 2, 30);
    }
}
