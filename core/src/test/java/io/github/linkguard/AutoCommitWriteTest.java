package io.github.linkguard;

import static io.github.linkguard.Pools.execute;
import static io.github.linkguard.Pools.number;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.linkguard.testkit.EmbeddedMariaDb;
import io.github.linkguard.testkit.FaultProxy;
import io.github.linkguard.testkit.FaultProxy.Direction;
import io.github.linkguard.testkit.MariaDbExtension;
import io.micrometer.core.instrument.Counter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.sql.Statement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * With {@code commitOutcomeAutoCommitWrites(true)} a write in auto-commit mode runs as a transaction of its own
 * with the marker: lost before it committed it runs again, its COMMIT lost it is resolved, and either way the
 * application gets the write's result once and the connection stays in auto-commit mode. Off (the default), such
 * a write whose outcome is unknown fails with 08007 as before. TLS off and on; statements and prepared ones.
 */
@ExtendWith(MariaDbExtension.class)
@Timeout(120)
class AutoCommitWriteTest {

    private static final String INTERCEPTED = "&queryInterceptors=" + BeforeCommit.class.getName();

    @BeforeAll
    static void createTable(EmbeddedMariaDb db) {
        db.execute("CREATE TABLE IF NOT EXISTS autocommit_rows (id INT PRIMARY KEY, v INT NOT NULL)");
    }

    @BeforeEach
    void empty(EmbeddedMariaDb db) {
        db.execute("DELETE FROM autocommit_rows");
    }

    @AfterEach
    void disarm() {
        BeforeCommit.disarm();
    }

    private static Pools.Guarded guard(EmbeddedMariaDb db, String url, boolean autoCommitWrites) {
        return Pools.guard(Pools.lazyHikari(db, url),
                builder -> builder.maxAttempts(3).commitOutcomeAutoCommitWrites(autoCommitWrites));
    }

    private static Pools.Guarded guardThrough(FaultProxy proxy, EmbeddedMariaDb db, boolean tls) {
        return guard(db, Pools.url(EmbeddedMariaDb.jdbcUrl(proxy.host(), proxy.port()), tls) + INTERCEPTED, true);
    }

    /** Inserts row {@code id} in auto-commit mode, with a prepared statement or a plain one. */
    private static int insert(Connection connection, int id, boolean prepared) throws SQLException {
        if (!prepared) {
            try (Statement statement = connection.createStatement()) {
                return statement.executeUpdate("INSERT INTO autocommit_rows VALUES (" + id + ", " + id * 10 + ")");
            }
        }
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO autocommit_rows VALUES (?, ?)")) {
            insert.setInt(1, id);
            insert.setInt(2, id * 10);
            return insert.executeUpdate();
        }
    }

    private static double outcomes(Pools.Guarded guarded, String outcome) {
        Counter counter = guarded.registry().find("linkguard.commit.outcomes").tag("outcome", outcome).counter();
        return counter == null ? 0 : counter.count();
    }

    /** The rows another session sees now: what was committed. */
    private static long committedRows(EmbeddedMariaDb db) throws SQLException {
        return number(db, "SELECT COUNT(*) FROM test.autocommit_rows");
    }

    /** The connection is in auto-commit mode, for the application and at the server: a write is seen at once. */
    private static void assertAutoCommitOn(Connection connection, EmbeddedMariaDb db, int id) throws SQLException {
        assertThat(connection.getAutoCommit()).isTrue();
        long before = committedRows(db);
        execute(connection, "INSERT INTO autocommit_rows VALUES (" + id + ", 0)");
        assertThat(committedRows(db)).isEqualTo(before + 1);
    }

    /**
     * The write's COMMIT (the marker with it) is lost on its way (not committed: the write runs again) or its
     * answer is lost after the server committed (it returns): the result once, the row once.
     */
    @ParameterizedTest(name = "cut {0}: {1}, TLS {2}, prepared {3}")
    @CsvSource({"SERVER_TO_CLIENT,committed,false,true", "SERVER_TO_CLIENT,committed,true,false",
            "CLIENT_TO_SERVER,replayed,false,false", "CLIENT_TO_SERVER,replayed,true,true"})
    void aWriteWhoseCommitIsLostIsResolvedOnce(Direction cut, String outcome, boolean tls, boolean prepared,
            EmbeddedMariaDb db) throws Exception {
        try (FaultProxy proxy = FaultProxy.start(db.host(), db.port());
                Pools.Guarded guarded = guardThrough(proxy, db, tls);
                Connection connection = guarded.dataSource().getConnection()) {
            BeforeCommit.arm(() -> proxy.cutOpenLinksAtNext(cut));
            assertThat(insert(connection, 1, prepared)).isEqualTo(1);
            assertThat(outcomes(guarded, outcome)).isEqualTo(1);
            assertThat(committedRows(db)).isEqualTo(1);
            assertAutoCommitOn(connection, db, 2);
        }
    }

    /** The session is killed before the write: lost inside its own transaction, the write runs again, once. */
    @Test
    void aWriteWhoseSessionWasKilledRunsAgainOnce(EmbeddedMariaDb db) throws Exception {
        try (Pools.Guarded guarded = guard(db, db.jdbcUrl(), true);
                Connection connection = guarded.dataSource().getConnection()) {
            db.execute("KILL CONNECTION " + number(connection, "SELECT CONNECTION_ID()"));
            assertThat(insert(connection, 1, true)).isEqualTo(1);
            assertThat(committedRows(db)).isEqualTo(1);
            assertAutoCommitOn(connection, db, 2);
        }
    }

    /** Off, the default: the same loss leaves the write's outcome unknown. */
    @Test
    void offAWriteWhoseSessionWasKilledIsOutcomeUnknown(EmbeddedMariaDb db) throws Exception {
        try (Pools.Guarded guarded = guard(db, db.jdbcUrl(), false);
                Connection connection = guarded.dataSource().getConnection()) {
            db.execute("KILL CONNECTION " + number(connection, "SELECT CONNECTION_ID()"));
            assertThatThrownBy(() -> insert(connection, 1, true)).isInstanceOf(SQLException.class)
                    .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("08007");
        }
    }

    /** A write that fails on its own (a duplicate key) fails as it would, and auto-commit is on after it. */
    @Test
    void aWriteThatFailsAloneLeavesAutoCommitOn(EmbeddedMariaDb db) throws Exception {
        try (Pools.Guarded guarded = guard(db, db.jdbcUrl(), true);
                Connection connection = guarded.dataSource().getConnection()) {
            assertThat(insert(connection, 1, true)).isEqualTo(1);
            assertThatThrownBy(() -> insert(connection, 1, true))
                    .isInstanceOf(SQLIntegrityConstraintViolationException.class);
            assertAutoCommitOn(connection, db, 2);
        }
    }

    /**
     * What it costs: an auto-commit write sends four statements (auto-commit off, the write, the marker with
     * the COMMIT, auto-commit on); a read, and a write inside the application's own transaction, none more.
     */
    @Test
    void onlyAutoCommitWritesSendMore(EmbeddedMariaDb db) throws Exception {
        try (Pools.Guarded guarded = guard(db, db.jdbcUrl(), true);
                Connection connection = guarded.dataSource().getConnection()) {
            insert(connection, 1, true); // the table and its procedure are made
            assertThat(statementsFor(connection, () -> insert(connection, 2, true))).isEqualTo(4);
            assertThat(statementsFor(connection, () -> number(connection, "SELECT COUNT(*) FROM autocommit_rows")))
                    .isEqualTo(1);
            connection.setAutoCommit(false);
            assertThat(statementsFor(connection, () -> insert(connection, 3, false))).isEqualTo(1);
            connection.commit();
            connection.setAutoCommit(true);
        }
        assertThat(committedRows(db)).isEqualTo(3);
    }

    /**
     * A transaction a script begins in auto-commit mode ({@code START TRANSACTION}) is the application's: its
     * writes are not auto-commit writes, none commits alone, and its ROLLBACK undoes them all.
     */
    @Test
    void writesOfATransactionBegunBySqlStayInIt(EmbeddedMariaDb db) throws Exception {
        try (Pools.Guarded guarded = guard(db, db.jdbcUrl(), true);
                Connection connection = guarded.dataSource().getConnection()) {
            insert(connection, 1, true); // the table and its procedure are made
            execute(connection, "START TRANSACTION");
            insert(connection, 2, true);
            insert(connection, 3, false);
            assertThat(committedRows(db)).as("rows committed while the transaction is open").isEqualTo(1);
            execute(connection, "ROLLBACK");
            assertThat(connection.getAutoCommit()).isTrue();
        }
        assertThat(committedRows(db)).isEqualTo(1);
    }

    /** A call on a connection. */
    @FunctionalInterface
    private interface Call {
        void run() throws SQLException;
    }

    /** How many statements {@code call} sent on {@code connection} (the server's count). */
    private static long statementsFor(Connection connection, Call call) throws SQLException {
        String questions = "SELECT VARIABLE_VALUE FROM information_schema.SESSION_STATUS "
                + "WHERE VARIABLE_NAME = 'QUESTIONS'";
        long before = number(connection, questions);
        call.run();
        return number(connection, questions) - before - 1; // the count's own query counts
    }
}
