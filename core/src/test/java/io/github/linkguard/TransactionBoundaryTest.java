package io.github.linkguard;

import static io.github.linkguard.Pools.execute;
import static io.github.linkguard.Pools.number;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.linkguard.testkit.EmbeddedMariaDb;
import io.github.linkguard.testkit.MariaDbExtension;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransactionRollbackException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A transaction is what the server says it is (issue 18): where it began and ended (SQL COMMIT, ROLLBACK,
 * BEGIN, implicit commits, a procedure that commits) and whether it wrote a non-transactional table. Each case
 * loses its link mid-way and asserts the data: every write exactly once, or a loud failure. With the server's
 * transaction reports (LinkGuard's default) and without them (session tracking off), TLS off and on.
 */
@ExtendWith(MariaDbExtension.class)
@Timeout(60)
class TransactionBoundaryTest {

    /** A non-transactional schema of its own, so that the shared server's other tests never see its tables. */
    private static final String LEGACY = "legacy";

    @BeforeAll
    static void createTables(EmbeddedMariaDb db) {
        db.execute("CREATE TABLE IF NOT EXISTS test.tb_rows (id INT PRIMARY KEY, note VARCHAR(20)) ENGINE=InnoDB",
                "CREATE TABLE IF NOT EXISTS test.tb_audited (id INT PRIMARY KEY) ENGINE=InnoDB",
                "CREATE TABLE IF NOT EXISTS test.tb_slow_audited (id INT PRIMARY KEY) ENGINE=InnoDB",
                "CREATE DATABASE IF NOT EXISTS " + LEGACY,
                "CREATE TABLE IF NOT EXISTS " + LEGACY + ".myisam_log (v INT) ENGINE=MyISAM",
                "CREATE TABLE IF NOT EXISTS " + LEGACY + ".aria_log (v INT) ENGINE=Aria",
                "CREATE TABLE IF NOT EXISTS " + LEGACY + ".memory_log (v INT) ENGINE=MEMORY",
                "CREATE OR REPLACE TRIGGER test.tb_audit AFTER INSERT ON test.tb_audited FOR EACH ROW "
                        + "INSERT INTO " + LEGACY + ".myisam_log VALUES (NEW.id)",
                "CREATE OR REPLACE TRIGGER test.tb_slow_audit AFTER INSERT ON test.tb_slow_audited FOR EACH ROW "
                        + "BEGIN INSERT INTO " + LEGACY + ".myisam_log VALUES (NEW.id); DO SLEEP(3); END",
                "CREATE OR REPLACE FUNCTION test.tb_audit_fn(x INT) RETURNS INT MODIFIES SQL DATA BEGIN "
                        + "INSERT INTO " + LEGACY + ".myisam_log VALUES (x); DO SLEEP(3); RETURN x; END",
                "CREATE OR REPLACE PROCEDURE test.tb_commit_inside(x INT) BEGIN "
                        + "INSERT INTO test.tb_rows VALUES (x, 'procedure'); COMMIT; END",
                "CREATE OR REPLACE PROCEDURE test.tb_commit_then_sleep(x INT) BEGIN "
                        + "INSERT INTO test.tb_rows VALUES (x, 'procedure'); COMMIT; DO SLEEP(3); END",
                "CREATE SEQUENCE IF NOT EXISTS test.tb_seq");
    }

    @AfterAll
    static void dropLegacy(EmbeddedMariaDb db) {
        db.execute("DROP TRIGGER IF EXISTS test.tb_audit", "DROP TRIGGER IF EXISTS test.tb_slow_audit", "DROP FUNCTION IF EXISTS test.tb_audit_fn",
                "DROP DATABASE IF EXISTS " + LEGACY);
    }

    @BeforeEach
    void empty(EmbeddedMariaDb db) {
        db.execute("DELETE FROM test.tb_rows", "DELETE FROM test.tb_audited", "DELETE FROM test.tb_slow_audited", "DELETE FROM " + LEGACY + ".myisam_log",
                "DELETE FROM " + LEGACY + ".aria_log", "DELETE FROM " + LEGACY + ".memory_log",
                "DROP TABLE IF EXISTS test.tb_ddl");
    }

    /** Session tracking on (the server reports transaction states) and off, each with TLS off and on. */
    static Stream<Arguments> modes() {
        return Stream.of(Arguments.of(true, false), Arguments.of(true, true), Arguments.of(false, false),
                Arguments.of(false, true));
    }

    private static Pools.Guarded guard(EmbeddedMariaDb db, boolean tracking, boolean tls) {
        return Pools.guard(Pools.lazyHikari(db, Pools.url(db, tls)),
                builder -> builder.maxAttempts(3).sessionTracking(tracking));
    }

    private static long sessionOf(Connection connection) throws SQLException {
        return number(connection, "SELECT CONNECTION_ID()");
    }

    private static void insert(Connection connection, int id) throws SQLException {
        execute(connection, "INSERT INTO tb_rows VALUES (" + id + ", 'app')");
    }

    private static long rows(EmbeddedMariaDb db, String where) throws SQLException {
        return number(db, "SELECT COUNT(*) FROM test.tb_rows WHERE " + where);
    }

    /**
     * A transaction lost with its link that was not replayed: the call that meets the loss fails with the
     * driver's lost link, and every later call with 40000, naming why, until the application ends it.
     */
    private static void assertLostLoudly(Connection connection, ThrowingCall call, String why) {
        assertThatThrownBy(call::run).isInstanceOf(SQLException.class);
        assertStillLost(connection, why);
    }

    private static void assertStillLost(Connection connection, String why) {
        assertThatThrownBy(() -> number(connection, "SELECT COUNT(*) FROM tb_rows"))
                .isInstanceOfSatisfying(SQLTransactionRollbackException.class,
                        e -> assertThat(e.getSQLState()).isEqualTo("40000")).hasMessageContaining(why);
    }

    @FunctionalInterface
    interface ThrowingCall {
        void run() throws Exception;
    }

    @ParameterizedTest(name = "tracking {0}, TLS {1}")
    @MethodSource("modes")
    void aSqlCommitEndsTheTransactionSoItsRowsAreNeverReplayed(boolean tracking, boolean tls, EmbeddedMariaDb db)
            throws Exception {
        try (Pools.Guarded guarded = guard(db, tracking, tls); Connection connection = guarded.dataSource().getConnection()) {
            long session = sessionOf(connection);
            connection.setAutoCommit(false);
            insert(connection, 1);
            execute(connection, "COMMIT"); // as a script or a migration does
            insert(connection, 2);
            db.execute("KILL CONNECTION " + session);
            if (tracking) {
                insert(connection, 3); // the transaction since the COMMIT is replayed: row 2, then row 3
                connection.commit();
                assertThat(rows(db, "id = 1")).isEqualTo(1);
                assertThat(rows(db, "id = 2")).isEqualTo(1);
                assertThat(rows(db, "id = 3")).isEqualTo(1);
            } else {
                assertLostLoudly(connection, () -> insert(connection, 3), "without the server's transaction reports");
                connection.rollback();
                assertThat(rows(db, "true")).isEqualTo(1); // row 1, committed once; row 2 lost, and said so
            }
        }
    }

    @ParameterizedTest(name = "tracking {0}, TLS {1}")
    @MethodSource("modes")
    void aTransactionBegunWithSqlInAutoCommitModeIsATransaction(boolean tracking, boolean tls, EmbeddedMariaDb db)
            throws Exception {
        try (Pools.Guarded guarded = guard(db, tracking, tls); Connection connection = guarded.dataSource().getConnection()) {
            long session = sessionOf(connection);
            execute(connection, "START TRANSACTION");
            insert(connection, 1);
            db.execute("KILL CONNECTION " + session);
            if (tracking) {
                // replayed from its START TRANSACTION: the read sees row 1, and the work goes on in the transaction
                assertThat(number(connection, "SELECT COUNT(*) FROM tb_rows")).isEqualTo(1);
                insert(connection, 2);
                assertThat(rows(db, "true")).isZero(); // not committed yet: still a transaction
                execute(connection, "COMMIT");
                assertThat(rows(db, "true")).isEqualTo(2);
            } else {
                // never a silent auto-commit read: every call fails until the application ends the transaction
                assertLostLoudly(connection, () -> number(connection, "SELECT COUNT(*) FROM tb_rows"), "ROLLBACK");
                assertThatThrownBy(() -> insert(connection, 2)).hasMessageContaining("ROLLBACK");
                try (java.sql.Statement waiting = connection.createStatement()) { // as a framework makes one
                    assertThat(waiting.isClosed()).isFalse();
                    assertThat(waiting.getConnection()).isSameAs(connection);
                    assertThat(waiting.isWrapperFor(com.mysql.cj.jdbc.JdbcStatement.class)).isFalse();
                    assertThatThrownBy(() -> waiting.executeQuery("SELECT 1")).hasMessageContaining("ROLLBACK");
                }
                execute(connection, "ROLLBACK");
                assertThat(rows(db, "true")).isZero();
                insert(connection, 3); // auto-commit again
                assertThat(rows(db, "id = 3")).isEqualTo(1);
            }
        }
    }

    @ParameterizedTest(name = "tracking {0}, TLS {1}")
    @MethodSource("modes")
    void aSqlCommitOfATransactionLostWithItsLinkFailsAndCommitsNothing(boolean tracking, boolean tls,
            EmbeddedMariaDb db) throws Exception {
        try (Pools.Guarded guarded = guard(db, tracking, tls, b -> b.transactionReplay(false));
                Connection connection = guarded.dataSource().getConnection()) {
            long session = sessionOf(connection);
            execute(connection, "BEGIN");
            insert(connection, 1);
            db.execute("KILL CONNECTION " + session);
            assertLostLoudly(connection, () -> insert(connection, 2), "transaction replay is off");
            assertThatThrownBy(() -> execute(connection, "COMMIT"))
                    .isInstanceOfSatisfying(SQLTransactionRollbackException.class,
                            e -> assertThat(e.getSQLState()).isEqualTo("40000"))
                    .hasMessageContaining("transaction replay is off");
            assertThat(rows(db, "true")).isZero();
            insert(connection, 3); // the COMMIT ended it: auto-commit again
            assertThat(rows(db, "true")).isEqualTo(1);
        }
    }

    private static Pools.Guarded guard(EmbeddedMariaDb db, boolean tracking, boolean tls,
            java.util.function.UnaryOperator<LinkGuardDataSource.Builder> more) {
        return Pools.guard(Pools.lazyHikari(db, Pools.url(db, tls)),
                builder -> more.apply(builder.maxAttempts(3).sessionTracking(tracking)));
    }

    static Stream<Arguments> nonTransactionalWrites() {
        return Stream.of(Arguments.of(true, "INSERT INTO " + LEGACY + ".myisam_log VALUES (1)", "myisam_log"),
                Arguments.of(true, "INSERT INTO " + LEGACY + ".aria_log VALUES (1)", "aria_log"),
                Arguments.of(true, "INSERT INTO " + LEGACY + ".memory_log VALUES (1)", "memory_log"),
                Arguments.of(true, "INSERT INTO tb_audited VALUES (1)", "myisam_log"), // by a trigger
                Arguments.of(false, "INSERT INTO " + LEGACY + ".myisam_log VALUES (1)", "myisam_log"),
                Arguments.of(false, "INSERT INTO tb_audited VALUES (1)", "myisam_log"));
    }

    @ParameterizedTest(name = "tracking {0}: {1}")
    @MethodSource("nonTransactionalWrites")
    void aTransactionThatWroteANonTransactionalTableIsNeverReplayed(boolean tracking, String write, String log,
            EmbeddedMariaDb db) throws Exception {
        try (Pools.Guarded guarded = guard(db, tracking, true); Connection connection = guarded.dataSource().getConnection()) {
            long session = sessionOf(connection);
            connection.setAutoCommit(false);
            insert(connection, 1);
            execute(connection, write);
            insert(connection, 2);
            db.execute("KILL CONNECTION " + session);

            assertLostLoudly(connection, () -> insert(connection, 3),
                    tracking ? "non-transactional table" : "transaction reports");
            connection.rollback();
            assertThat(rows(db, "true")).isZero(); // the InnoDB rows rolled back with the link
            assertThat(number(db, "SELECT COUNT(*) FROM " + LEGACY + "." + log)).isEqualTo(1); // written once
            insert(connection, 4); // usable again
            connection.commit();
            assertThat(rows(db, "id = 4")).isEqualTo(1);
        }
    }

    @ParameterizedTest(name = "tracking {0}, TLS {1}")
    @MethodSource("modes")
    void anAutoCommitReadThatCallsAStoredFunctionIsNeverRetried(boolean tracking, boolean tls, EmbeddedMariaDb db)
            throws Exception {
        try (Pools.Guarded guarded = guard(db, tracking, tls); Connection connection = guarded.dataSource().getConnection()) {
            long session = sessionOf(connection);
            CompletableFuture<Void> killer = killWhenAsleep(db, session);
            assertThatThrownBy(() -> number(connection, "SELECT tb_audit_fn(7)"))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("08007"))
                    .hasMessageContaining("whether the server applied it is unknown");
            killer.get(10, TimeUnit.SECONDS);
            assertThat(number(db, "SELECT COUNT(*) FROM " + LEGACY + ".myisam_log")).isEqualTo(1); // once
            assertThat(number(connection, "SELECT 1")).isEqualTo(1); // the connection goes on
        }
    }

    /** Kills the session once the statement it runs sleeps: after its write, before its answer. */
    private static CompletableFuture<Void> killWhenAsleep(EmbeddedMariaDb db, long session) {
        return CompletableFuture.runAsync(() -> {
            try {
                while (number(db, "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID = " + session
                        + " AND STATE = 'User sleep'") == 0) {
                    Thread.sleep(5);
                }
                db.execute("KILL CONNECTION " + session);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    static Stream<Arguments> lostWrites() {
        return Stream.of(Arguments.of(false, "INSERT INTO tb_slow_audited VALUES (1)"), // first of the transaction
                Arguments.of(true, "INSERT INTO tb_slow_audited VALUES (1)"), // after work: replay, then this
                Arguments.of(true, "SELECT tb_audit_fn(7)"));
    }

    @ParameterizedTest(name = "after work {0}: {1}")
    @MethodSource("lostWrites")
    void aLostWriteThatMayHaveReachedANonTransactionalTableIsNeverRunAgain(boolean afterWork, String write,
            EmbeddedMariaDb db) throws Exception {
        try (Pools.Guarded guarded = guard(db, true, true); Connection connection = guarded.dataSource().getConnection()) {
            long session = sessionOf(connection);
            connection.setAutoCommit(false);
            if (afterWork) {
                insert(connection, 1);
            }
            CompletableFuture<Void> killer = killWhenAsleep(db, session);
            // a trigger or a function wrote MyISAM, then the answer was lost: running it again would write it twice
            assertThatThrownBy(() -> execute(connection, write))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("08007"))
                    .hasMessageContaining("non-transactional table");
            killer.get(10, TimeUnit.SECONDS);
            if (afterWork) {
                assertStillLost(connection, "non-transactional table");
            }
            connection.rollback();
            assertThat(number(db, "SELECT COUNT(*) FROM " + LEGACY + ".myisam_log")).isEqualTo(1); // once
            assertThat(rows(db, "true")).isZero();
            insert(connection, 2);
            connection.commit();
            assertThat(rows(db, "id = 2")).isEqualTo(1);
        }
    }

    @ParameterizedTest(name = "tracking {0}, TLS {1}")
    @MethodSource("modes")
    void aStatementThatMayHaveCommittedLostAfterWritesIsOutcomeUnknownAndTheTransactionMustBeEnded(boolean tracking,
            boolean tls, EmbeddedMariaDb db) throws Exception {
        try (Pools.Guarded guarded = guard(db, tracking, tls); Connection connection = guarded.dataSource().getConnection()) {
            long session = sessionOf(connection);
            connection.setAutoCommit(false);
            insert(connection, 1);
            CompletableFuture<Void> killer = killWhenAsleep(db, session);
            // the procedure commits row 1 and its own row, then sleeps: the answer is lost
            assertThatThrownBy(() -> execute(connection, "CALL tb_commit_then_sleep(10)"))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("08007"))
                    .hasMessageContaining("may have committed the open transaction's writes");
            killer.get(10, TimeUnit.SECONDS);
            assertStillLost(connection, "what was committed is unknown"); // never half a transaction on a fresh link
            connection.rollback();
            assertThat(rows(db, "id IN (1, 10)")).isEqualTo(2); // the procedure had committed both, once
            insert(connection, 2);
            connection.commit();
            assertThat(rows(db, "id = 2")).isEqualTo(1);
        }
    }

    static Stream<Arguments> implicitCommits() {
        return Stream.of(Arguments.of(true, "CREATE TABLE IF NOT EXISTS tb_ddl (id INT)"),
                Arguments.of(true, "CREATE TABLE tb_ddl (id INT)"),
                Arguments.of(true, "ALTER TABLE tb_audited COMMENT 'changed'"),
                Arguments.of(true, "CREATE INDEX tb_note ON tb_audited (id)"),
                Arguments.of(true, "TRUNCATE TABLE tb_audited"),
                Arguments.of(true, "ANALYZE TABLE tb_audited"),
                Arguments.of(true, "CALL tb_commit_inside(10)"),
                Arguments.of(false, "CREATE TABLE IF NOT EXISTS tb_ddl (id INT)"),
                Arguments.of(false, "TRUNCATE TABLE tb_audited"),
                Arguments.of(false, "CALL tb_commit_inside(10)"));
    }

    @ParameterizedTest(name = "tracking {0}: {1}")
    @MethodSource("implicitCommits")
    void anImplicitCommitEndsTheTransaction(boolean tracking, String statement, EmbeddedMariaDb db) throws Exception {
        db.execute("DROP INDEX IF EXISTS tb_note ON test.tb_audited");
        try (Pools.Guarded guarded = guard(db, tracking, true); Connection connection = guarded.dataSource().getConnection()) {
            long session = sessionOf(connection);
            connection.setAutoCommit(false);
            insert(connection, 1);
            execute(connection, statement); // commits row 1 (and the procedure's row 10)
            insert(connection, 2);
            db.execute("KILL CONNECTION " + session);
            try {
                insert(connection, 3);
                connection.commit();
                assertThat(tracking).as("replayed only where the server reports transactions").isTrue();
                assertThat(rows(db, "id = 2")).isEqualTo(1);
                assertThat(rows(db, "id = 3")).isEqualTo(1);
            } catch (SQLException lost) {
                // without reports, or where the session cannot be restored (a procedure without tracking): loudly
                assertThat(tracking).as("failed: " + lost).isFalse();
                assertThatThrownBy(() -> number(connection, "SELECT 1")).isInstanceOfSatisfying(SQLException.class,
                        e -> assertThat(e.getSQLState()).isIn("40000", "08003"));
                connection.rollback();
                assertThat(rows(db, "id IN (2, 3)")).isZero();
            }
            assertThat(rows(db, "id = 1")).isEqualTo(1); // committed by the statement, exactly once
            assertThat(rows(db, "id = 10")).isEqualTo(statement.startsWith("CALL") ? 1 : 0);
        }
    }

    @ParameterizedTest(name = "tracking {0}, TLS {1}")
    @MethodSource("modes")
    void aSqlRollbackAndSavepointsAreFollowed(boolean tracking, boolean tls, EmbeddedMariaDb db) throws Exception {
        try (Pools.Guarded guarded = guard(db, tracking, tls); Connection connection = guarded.dataSource().getConnection()) {
            long session = sessionOf(connection);
            connection.setAutoCommit(false);
            insert(connection, 1);
            execute(connection, "ROLLBACK"); // row 1 is gone
            insert(connection, 2);
            execute(connection, "SAVEPOINT s1");
            insert(connection, 3);
            execute(connection, "ROLLBACK TO SAVEPOINT s1"); // row 3 is gone
            assertThat(number(connection, "SELECT COUNT(*) FROM tb_rows")).isEqualTo(1);
            db.execute("KILL CONNECTION " + session);
            if (tracking) {
                insert(connection, 4); // replayed: 2, the savepoint, 3, back to the savepoint, the count; then 4
                connection.commit();
                assertThat(rows(db, "true")).isEqualTo(2);
                assertThat(rows(db, "id IN (2, 4)")).isEqualTo(2);
            } else {
                assertLostLoudly(connection, () -> insert(connection, 4), "transaction reports");
                connection.rollback();
                assertThat(rows(db, "true")).isZero();
            }
        }
    }

    @ParameterizedTest(name = "tracking {0}, TLS {1}")
    @MethodSource("modes")
    void autoCommitOffWithSqlThenASqlCommit(boolean tracking, boolean tls, EmbeddedMariaDb db) throws Exception {
        try (Pools.Guarded guarded = guard(db, tracking, tls); Connection connection = guarded.dataSource().getConnection()) {
            long session = sessionOf(connection);
            execute(connection, "SET autocommit = 0");
            insert(connection, 1);
            execute(connection, "COMMIT");
            insert(connection, 2);
            db.execute("KILL CONNECTION " + session);
            if (tracking) {
                insert(connection, 3);
                execute(connection, "COMMIT");
                assertThat(rows(db, "true")).isEqualTo(3);
            } else {
                assertLostLoudly(connection, () -> insert(connection, 3), "transaction reports");
                execute(connection, "ROLLBACK");
                assertThat(rows(db, "true")).isEqualTo(1);
            }
            assertThat(connection.getAutoCommit()).isFalse(); // the session's SET autocommit = 0 stands
        }
    }

    @ParameterizedTest(name = "tracking {0}, TLS {1}")
    @MethodSource("modes")
    void aSequenceValueReadBeforeTheLossMakesTheReplayFailWith40001(boolean tracking, boolean tls, EmbeddedMariaDb db)
            throws Exception {
        try (Pools.Guarded guarded = guard(db, tracking, tls); Connection connection = guarded.dataSource().getConnection()) {
            long session = sessionOf(connection);
            connection.setAutoCommit(false);
            long id = number(connection, "SELECT NEXTVAL(tb_seq)");
            db.execute("KILL CONNECTION " + session);
            // the sequence is not rolled back: the replay reads another value, and says so
            assertThatThrownBy(() -> insert(connection, (int) id))
                    .isInstanceOfSatisfying(SQLTransactionRollbackException.class,
                            e -> assertThat(e.getSQLState()).isEqualTo("40001"));
            connection.rollback();
            assertThat(rows(db, "true")).isZero();
        }
    }
}
