package io.github.linkguard;

import static io.github.linkguard.Pools.execute;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.github.linkguard.testkit.EmbeddedMariaDb;
import io.github.linkguard.testkit.FaultProxy;
import io.github.linkguard.testkit.MariaDbExtension;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * After a lost link (the session killed between two statements) the application's Connection is the same
 * session on a fresh link, SQL-made state included, or it fails loudly: never a silent swap. Run in
 * auto-commit mode and inside transactions, with TLS off and on.
 */
@ExtendWith(MariaDbExtension.class)
@Timeout(60)
class SessionRestoreTest {

    /** How the application uses the connection: auto-commit or transactions; TLS or not. */
    record Mode(boolean transactions, boolean tls) {
        @Override
        public String toString() {
            return (transactions ? "in transactions" : "auto-commit") + (tls ? ", TLS" : ", plain");
        }
    }

    static Stream<Arguments> modes() {
        return Stream.of(new Mode(false, false), new Mode(true, false), new Mode(false, true), new Mode(true, true))
                .map(Arguments::of);
    }

    @BeforeAll
    static void createObjects(EmbeddedMariaDb db) {
        db.execute("CREATE DATABASE IF NOT EXISTS other",
                "CREATE TABLE IF NOT EXISTS session_rows (id INT PRIMARY KEY AUTO_INCREMENT, note VARCHAR(20))",
                "CREATE OR REPLACE PROCEDURE sets_variable() BEGIN SET @from_procedure = 1; END",
                "CREATE OR REPLACE PROCEDURE only_reads() BEGIN SELECT COUNT(*) INTO @ignored_inside FROM session_rows; END",
                "CREATE OR REPLACE PROCEDURE only_writes() BEGIN UPDATE session_rows SET note = note WHERE id < 0; END",
                "CREATE OR REPLACE FUNCTION sets_in_function() RETURNS INT BEGIN SET @from_function = 2; RETURN 1; END");
    }

    private static Pools.Guarded guard(EmbeddedMariaDb db, Mode mode) {
        return guard(db, mode, true);
    }

    private static Pools.Guarded guard(EmbeddedMariaDb db, Mode mode, boolean sessionTracking) {
        return Pools.guard(Pools.lazyHikari(db, Pools.url(db, mode.tls())), builder -> builder.maxAttempts(3).sessionTracking(sessionTracking));
    }

    private static Connection open(Pools.Guarded guarded, Mode mode) throws SQLException {
        Connection connection = guarded.dataSource().getConnection();
        connection.setAutoCommit(!mode.transactions());
        return connection;
    }

    /** Ends the work so far (a commit in transactions), kills the session, and lets the application notice. */
    private static void loseLink(EmbeddedMariaDb db, Connection connection, Mode mode) throws SQLException {
        loseLink(db, connection, mode, false);
    }

    /**
     * {@link #loseLink(EmbeddedMariaDb, Connection, Mode)} where the session runs READ COMMITTED: there a
     * transaction that only read goes on after the loss (its reads are not run again), and nothing surfaces.
     */
    private static void loseLink(EmbeddedMariaDb db, Connection connection, Mode mode, boolean readCommitted)
            throws SQLException {
        if (mode.transactions()) {
            connection.commit();
        }
        db.execute("KILL CONNECTION " + connectionId(connection));
        if (mode.transactions() && readCommitted) {
            assertThat(query(connection, "SELECT 1")).isEqualTo("1");
            connection.rollback();
        } else if (mode.transactions()) {
            // inside a transaction the loss surfaces (the work is gone), and the application rolls back
            assertThatThrownBy(() -> query(connection, "SELECT 1")).isInstanceOf(SQLException.class);
            connection.rollback();
        }
    }

    /**
     * The session's id, read with a table so that in a transaction the server has one open: the loss then
     * loses the transaction (its replay reads another id), where a transaction that touched no table would
     * lose nothing.
     */
    private static long connectionId(Connection connection) throws SQLException {
        return Long.parseLong(query(connection, "SELECT CONNECTION_ID(), COUNT(*) FROM test.session_rows"));
    }

    private static String query(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getString(1);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("modes")
    void userAndSessionVariablesAreSetAgain(Mode mode, EmbeddedMariaDb db) throws Exception {
        try (Pools.Guarded guarded = guard(db, mode); Connection connection = open(guarded, mode)) {
            execute(connection, "SET @x = 42");
            execute(connection, "SET SESSION time_zone = '+05:00'");
            execute(connection, "SET NAMES utf8mb4 COLLATE utf8mb4_bin");
            execute(connection, "SET sql_mode = 'ANSI_QUOTES', @y = 'two', SESSION wait_timeout = 1234");
            execute(connection, "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED");
            execute(connection, "USE other");
            long before = connectionId(connection);

            loseLink(db, connection, mode, true);

            assertThat(query(connection, "SELECT CONCAT_WS('|', @x, @@session.time_zone, @@collation_connection, "
                    + "@@sql_mode, @y, @@session.wait_timeout, @@session.transaction_isolation, DATABASE())"))
                    .isEqualTo("42|+05:00|utf8mb4_bin|ANSI_QUOTES|two|1234|READ-COMMITTED|other");
            assertThat(connectionId(connection)).isNotEqualTo(before);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("modes")
    void valuesComputedByExpressionsAreTheSameAfterTheLoss(Mode mode, EmbeddedMariaDb db) throws Exception {
        String values = "SELECT CONCAT_WS('|', @started, @random, @rows, @text, COLLATION(@text), @nothing IS NULL, "
                + "@decimal, @double, @ordinal, @@session.sql_mode)";
        try (Pools.Guarded guarded = guard(db, mode); Connection connection = open(guarded, mode)) {
            execute(connection, "SET @started = NOW(6), @random = RAND(), @nothing = NULL");
            execute(connection, "SELECT COUNT(*) + 7 INTO @rows FROM session_rows");
            execute(connection, "SET @text = CONVERT('Grüße' USING latin1) COLLATE latin1_german2_ci");
            execute(connection, "SET @decimal = 1.50 * 3, @double = PI() * 1e3");
            query(connection, "SELECT @ordinal := 5 + 1");
            execute(connection, "SET SESSION sql_mode = CONCAT(@@sql_mode, ',PIPES_AS_CONCAT')");
            String before = query(connection, values);

            loseLink(db, connection, mode);

            assertThat(query(connection, values)).isEqualTo(before).contains("latin1_german2_ci");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("modes")
    void aNamedLockIsTakenAgain(Mode mode, EmbeddedMariaDb db) throws Exception {
        try (Pools.Guarded guarded = guard(db, mode); Connection connection = open(guarded, mode)) {
            assertThat(query(connection, "SELECT GET_LOCK('restore-k', 0)")).isEqualTo("1");
            try (PreparedStatement lock = connection.prepareStatement("SELECT GET_LOCK(?, 0)")) { // as Flyway does
                lock.setString(1, "restore-flyway");
                try (ResultSet taken = lock.executeQuery()) {
                    taken.next();
                }
            }
            query(connection, "SELECT GET_LOCK('restore-released', 0)");
            query(connection, "SELECT RELEASE_LOCK('restore-released')");

            loseLink(db, connection, mode);

            assertThat(query(connection, "SELECT CONCAT_WS('|', IS_USED_LOCK('restore-k') = CONNECTION_ID(), "
                    + "IS_USED_LOCK('restore-flyway') = CONNECTION_ID(), IS_USED_LOCK('restore-released') IS NULL)"))
                    .isEqualTo("1|1|1");
            try (Connection other = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password())) {
                assertThat(query(other, "SELECT GET_LOCK('restore-k', 0)")).isEqualTo("0");
            }
            assertThat(query(connection, "SELECT RELEASE_LOCK('restore-k')")).isEqualTo("1");
        }
    }

    @Test
    void aLockTakenTwiceIsHeldTwiceAfterTheLoss(EmbeddedMariaDb db) throws Exception {
        Mode mode = new Mode(false, false);
        try (Pools.Guarded guarded = guard(db, mode); Connection connection = open(guarded, mode)) {
            query(connection, "SELECT GET_LOCK('restore-twice', 0)");
            query(connection, "SELECT GET_LOCK('restore-twice', 0)");

            loseLink(db, connection, mode);

            assertThat(query(connection, "SELECT RELEASE_LOCK('restore-twice')")).isEqualTo("1");
            assertThat(query(connection, "SELECT IS_USED_LOCK('restore-twice') = CONNECTION_ID()")).isEqualTo("1");
            assertThat(query(connection, "SELECT RELEASE_LOCK('restore-twice')")).isEqualTo("1");
            assertThat(query(connection, "SELECT IS_USED_LOCK('restore-twice')")).isNull();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("modes")
    void aLockAnotherSessionTookMeanwhileMakesTheConnectionFailLoudly(Mode mode, EmbeddedMariaDb db) throws Exception {
        try (Pools.Guarded guarded = guard(db, mode);
                Connection other = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password())) {
            Connection connection = open(guarded, mode);
            query(connection, "SELECT GET_LOCK('restore-stolen', 0)");
            long otherId = connectionId(other);
            db.execute("KILL CONNECTION " + connectionId(connection));
            // the killed session lets go of its lock as it ends, a moment after KILL returns
            assertThat(query(other, "SELECT GET_LOCK('restore-stolen', 10)")).isEqualTo("1");
            if (mode.transactions()) {
                assertThatThrownBy(() -> query(connection, "SELECT 1")).isInstanceOf(SQLException.class);
                connection.rollback();
            }

            for (int call = 0; call < 2; call++) {
                assertThatThrownBy(() -> query(connection, "SELECT 1"))
                        .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("08003"))
                        .hasMessageContaining("named lock 'restore-stolen'")
                        .hasMessageContaining("connection " + otherId);
            }
            assertThat(Diagnosis.of(catchFailure(() -> query(connection, "SELECT 1")))).isPresent();
            connection.close();
            assertNotLeaked(guarded);
        }
    }

    @Test
    void aLockTheLostSessionStillHoldsOnTheServerMakesTheConnectionFailLoudly(EmbeddedMariaDb db) throws Exception {
        try (FaultProxy proxy = FaultProxy.start(db.host(), db.port());
                Pools.Guarded guarded = Pools.guard(Pools.lazyHikari(db, EmbeddedMariaDb.jdbcUrl(proxy.host(),
                        proxy.port())), builder -> builder.maxAttempts(3));
                Connection connection = guarded.dataSource().getConnection()) {
            long lost = connectionId(connection);
            query(connection, "SELECT GET_LOCK('restore-zombie', 0)");
            proxy.dropClientSides(); // the client sees a reset; the server's session lives on, with the lock

            assertThatThrownBy(() -> query(connection, "SELECT 1"))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("08003"))
                    .hasMessageContaining("the lost session (connection " + lost + ") still holds");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("modes")
    void aTemporaryTableMakesTheConnectionFailLoudlyUntilClosed(Mode mode, EmbeddedMariaDb db) throws Exception {
        try (Pools.Guarded guarded = guard(db, mode)) {
            Connection connection = open(guarded, mode);
            execute(connection, "CREATE TEMPORARY TABLE restore_scratch (id INT)");
            execute(connection, "INSERT INTO restore_scratch VALUES (1)");

            loseLink(db, connection, mode);

            for (int call = 0; call < 2; call++) {
                assertThatThrownBy(() -> query(connection, "SELECT COUNT(*) FROM restore_scratch"))
                        .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("08003"))
                        .hasMessageContaining("temporary table `restore_scratch`")
                        .hasMessageContaining("until it is closed");
            }
            assertThat(connection.isValid(1)).isFalse();
            connection.close();
            assertNotLeaked(guarded);
            assertThat(guarded.registry().find("linkguard.retries").tag("outcome", "not-retried").counters())
                    .isNotEmpty();
        }
    }

    @Test
    void aLostStatementThatWouldBeRetriedFailsLoudlyWithTheDiagnosis(EmbeddedMariaDb db) throws Exception {
        Mode mode = new Mode(false, false);
        try (Pools.Guarded guarded = guard(db, mode); Connection connection = open(guarded, mode)) {
            execute(connection, "CREATE TEMPORARY TABLE restore_read (id INT)");
            db.execute("KILL CONNECTION " + connectionId(connection));

            SQLException failure = catchFailure(() -> query(connection, "SELECT COUNT(*) FROM restore_read"));

            assertThat(failure.getSQLState()).isEqualTo("08003");
            assertThat(failure.getMessage()).contains("temporary table `restore_read`");
            assertThat(Diagnosis.of(failure)).isPresent();
            assertThat(guarded.outcomes(Diagnosis.of(failure).get().cause(), "not-retried")).isEqualTo(1);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("modes")
    void lockTablesAndSqlPreparedStatementsMakeTheConnectionFailLoudly(Mode mode, EmbeddedMariaDb db) throws Exception {
        try (Pools.Guarded guarded = guard(db, mode)) {
            assertLostLoudly(db, guarded, mode, "LOCK TABLES session_rows READ", "LOCK TABLES");
            assertLostLoudly(db, guarded, mode, "PREPARE restore_ps FROM 'SELECT 1'", "prepared statement `restore_ps`");
            assertLostLoudly(db, guarded, mode, "HANDLER session_rows OPEN", "HANDLER `session_rows`");
            assertNotLeaked(guarded);
        }
    }

    @Test
    void stateMadeWithSqlOutlivesAReturnToThePoolAndIsRestoredForTheNextBorrower(EmbeddedMariaDb db) throws Exception {
        Mode mode = new Mode(false, false);
        try (Pools.Guarded guarded = guard(db, mode)) {
            long physical;
            try (Connection first = open(guarded, mode)) {
                execute(first, "SET @carried = 7, SESSION time_zone = '+07:00'");
                physical = connectionId(first);
            } // the pool resets JDBC settings, not these: the session keeps them
            try (Connection second = open(guarded, mode)) {
                assertThat(connectionId(second)).isEqualTo(physical);
                loseLink(db, second, mode);
                assertThat(query(second, "SELECT CONCAT_WS('|', @carried, @@session.time_zone)")).isEqualTo("7|+07:00");
            }
            try (Connection third = open(guarded, mode)) { // the fresh link went back to the pool with the state
                execute(third, "CREATE TEMPORARY TABLE restore_carried (id INT)");
            }
            Connection fourth = open(guarded, mode);
            loseLink(db, fourth, mode);
            assertThatThrownBy(() -> query(fourth, "SELECT 1")).hasMessageContaining("temporary table `restore_carried`");
            fourth.close();
            assertNotLeaked(guarded);
        }
    }

    @Test
    void stateThatWasUndoneBeforeTheLossDoesNotStopTheRecovery(EmbeddedMariaDb db) throws Exception {
        Mode mode = new Mode(false, false);
        try (Pools.Guarded guarded = guard(db, mode); Connection connection = open(guarded, mode)) {
            execute(connection, "CREATE TEMPORARY TABLE IF NOT EXISTS `restore_gone` (id INT)");
            execute(connection, "DROP TEMPORARY TABLE IF EXISTS restore_gone");
            execute(connection, "LOCK TABLES session_rows READ");
            execute(connection, "UNLOCK TABLES");
            execute(connection, "PREPARE restore_done FROM 'SELECT 1'");
            execute(connection, "DEALLOCATE PREPARE restore_done");
            execute(connection, "HANDLER session_rows OPEN AS restore_handler");
            execute(connection, "HANDLER restore_handler CLOSE");
            query(connection, "SELECT GET_LOCK('restore-let-go', 0)");
            query(connection, "SELECT RELEASE_ALL_LOCKS()");

            loseLink(db, connection, mode);

            assertThat(query(connection, "SELECT IS_USED_LOCK('restore-let-go') IS NULL")).isEqualTo("1");
            assertThat(guarded.registry().find("linkguard.retries").tag("outcome", "recovered").counter().count())
                    .isEqualTo(1);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("modes")
    void whatAStoredProcedureOrFunctionChangedIsNotLostSilently(Mode mode, EmbeddedMariaDb db) throws Exception {
        try (Pools.Guarded guarded = guard(db, mode)) {
            assertLostLoudly(db, guarded, mode, "CALL sets_variable()", "the server reported it): CALL sets_variable");
            assertLostLoudly(db, guarded, mode, "SELECT sets_in_function()", "the server reported it): SELECT sets_in_function");
            // texts LinkGuard reads (assignments) that also call the function
            assertLostLoudly(db, guarded, mode, "SELECT sets_in_function() + (@seen := 1)", "the server reported it");
            assertLostLoudly(db, guarded, mode, "SET @seen = sets_in_function()", "the server reported it");

            try (Connection writes = open(guarded, mode)) {
                execute(writes, "CALL only_writes()");
                loseLink(db, writes, mode);
                assertThat(query(writes, "SELECT 3")).isEqualTo("3"); // the server said nothing changed
            }
            assertNotLeaked(guarded);
        }
    }

    @Test
    void aStartedPoolWhoseUrlAsksForTheServersReportsGetsThem(EmbeddedMariaDb db) throws Exception {
        String url = db.jdbcUrl() + "&trackSessionState=true&sessionVariables=session_track_state_change=ON";
        try (Pools.Guarded guarded = Pools.guard(Pools.hikari(db, url), builder -> builder.maxAttempts(3))) {
            assertLostLoudly(db, guarded, new Mode(false, false), "CALL sets_variable()", "the server reported it");
        }
    }

    @Test
    void withoutSessionTrackingAStoredProcedureCallMakesTheSessionUnrestorable(EmbeddedMariaDb db) throws Exception {
        Mode mode = new Mode(false, false);
        try (Pools.Guarded guarded = guard(db, mode, false)) {
            assertLostLoudly(db, guarded, mode, "CALL only_writes()", "(CALL only_writes), which may change the session "
                    + "where LinkGuard cannot see it (turn on the server's session tracking");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("modes")
    void aConnectionWithoutSessionStateStillRecoversTransparently(Mode mode, EmbeddedMariaDb db) throws Exception {
        try (Pools.Guarded guarded = guard(db, mode); Connection connection = open(guarded, mode)) {
            connection.setReadOnly(true);
            query(connection, "SELECT COUNT(*) FROM session_rows");
            query(connection, "SELECT @@session.time_zone, IS_FREE_LOCK('restore-free')");

            loseLink(db, connection, mode);

            assertThat(query(connection, "SELECT @@session.transaction_read_only")).isEqualTo("1");
        }
    }

    @Test
    void statementSettingsSurviveTheSwap(EmbeddedMariaDb db) throws Exception {
        db.execute("DELETE FROM session_rows", "INSERT INTO session_rows (note) VALUES ('a'), ('b'), ('c')");
        String url = db.jdbcUrl() + "&useServerPrepStmts=true";
        try (Pools.Guarded guarded = Pools.guard(Pools.lazyHikari(db, url), builder -> builder.maxAttempts(3));
                Connection connection = guarded.dataSource().getConnection();
                PreparedStatement select = connection.prepareStatement("SELECT note FROM session_rows ORDER BY id",
                        ResultSet.TYPE_SCROLL_INSENSITIVE, ResultSet.CONCUR_READ_ONLY);
                PreparedStatement insert = connection.prepareStatement("INSERT INTO session_rows (note) VALUES (?)",
                        Statement.RETURN_GENERATED_KEYS)) {
            select.setMaxRows(2);
            select.setFetchSize(1);
            select.setQueryTimeout(7);
            db.execute("KILL CONNECTION " + connectionId(connection));

            List<String> notes = new ArrayList<>();
            try (ResultSet rows = select.executeQuery()) { // recovers, and re-creates every open statement
                assertThat(rows.getType()).isEqualTo(ResultSet.TYPE_SCROLL_INSENSITIVE);
                while (rows.next()) {
                    notes.add(rows.getString(1));
                }
                assertThat(rows.first()).isTrue(); // scrollable
            }
            assertThat(notes).containsExactly("a", "b");
            assertThat(select.getQueryTimeout()).isEqualTo(7);
            assertThat(select.getFetchSize()).isEqualTo(1);
            assertThat(select.unwrap(com.mysql.cj.jdbc.ServerPreparedStatement.class)).isNotNull();

            insert.setString(1, "d");
            insert.executeUpdate();
            try (ResultSet keys = insert.getGeneratedKeys()) {
                assertThat(keys.next()).isTrue();
                assertThat(keys.getLong(1)).isPositive();
            }
        }
    }

    /** Makes state with {@code setup}, loses the link, expects the next call to fail naming {@code lost}, closes. */
    private static void assertLostLoudly(EmbeddedMariaDb db, Pools.Guarded guarded, Mode mode, String setup, String lost)
            throws SQLException {
        Connection connection = open(guarded, mode);
        execute(connection, setup);
        loseLink(db, connection, mode);
        assertThatThrownBy(() -> query(connection, "SELECT 1"))
                .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("08003"))
                .hasMessageContaining(lost);
        connection.close();
    }

    private static SQLException catchFailure(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
        try {
            call.call();
        } catch (SQLException e) {
            return e;
        } catch (Throwable e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("the call did not fail");
    }

    private static void assertNotLeaked(Pools.Guarded guarded) throws SQLException {
        assertThat(guarded.dataSource().unwrap(HikariDataSource.class).getHikariPoolMXBean().getActiveConnections())
                .isZero();
    }
}
