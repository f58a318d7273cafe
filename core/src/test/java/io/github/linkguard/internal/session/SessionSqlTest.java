package io.github.linkguard.internal.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The happy path's glance at a statement: every way SQL can change the session is flagged, ordinary statements are not. */
class SessionSqlTest {

    @ParameterizedTest
    @ValueSource(strings = {
        "SET @x = 1", "set time_zone = '+00:00'", "  /* hint */ SET NAMES utf8mb4", "-- comment\nSET sql_mode=''",
        "# comment\nset autocommit=0", "USE other", "use`other`", "LOCK TABLES t READ", "unlock tables",
        "CREATE TEMPORARY TABLE t (id INT)", "DROP TEMPORARY TABLE t", "PREPARE s FROM 'SELECT 1'",
        "DEALLOCATE PREPARE s", "CALL p()", "DO GET_LOCK('k', 0)", "HANDLER t OPEN",
        "SELECT GET_LOCK('k', 0)", "select release_lock ('k')", "SELECT RELEASE_ALL_LOCKS()",
        "SELECT @r := @r + 1 FROM t", "SELECT COUNT(*) INTO @n FROM t", "SELECT 1; SET @x = 2",
        "/*!40101 SET NAMES utf8 */", "/* unterminated", "{call p(?)}", "{?= call f(?)}"})
    void flagsWhatMayChangeTheSession(String sql) {
        assertThat(SessionSql.touchesSession(sql)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "SELECT * FROM orders WHERE id = ?", "select o1_0.id, o1_0.customer_id from orders o1_0 where o1_0.id=?",
        "INSERT INTO t (a, b) VALUES (?, ?)", "UPDATE t SET a = ? WHERE id = ?", "DELETE FROM t WHERE id = ?",
        "SELECT is_locked FROM jobs", "SELECT 1;", "  ", "", "SHOW VARIABLES", "DESCRIBE t",
        "SELECT * FROM t FOR UPDATE", "START TRANSACTION", "COMMIT", "SELECT 'settle' FROM dual",
        "SETTINGS_TABLE_IS_NOT_A_KEYWORD"})
    void letsOrdinaryStatementsPass(String sql) {
        assertThat(SessionSql.touchesSession(sql)).isFalse();
    }

    @Test
    void findsAKeywordInAnyCaseAsAWholeWordOnly() {
        assertThat(SessionSql.keyword("sElEcT 1", 0, "SELECT")).isTrue();
        assertThat(SessionSql.keyword("(select", 1, "SELECT")).isTrue();
        assertThat(SessionSql.keyword("SELECT", 0, "SELECT")).isTrue();
        assertThat(SessionSql.keyword("SELECTED", 0, "SELECT")).isFalse();
        assertThat(SessionSql.keyword("SELECT_1", 0, "SELECT")).isFalse();
        assertThat(SessionSql.keyword("SELEC", 0, "SELECT")).isFalse();
        assertThat(SessionSql.keyword("SEL\u00c5CT", 0, "SELECT")).isFalse();
        assertThat(SessionSql.keyword("\u017fET x = 1", 0, "SET")).isFalse(); // a long s is no keyword to the server
        assertThat(SessionSql.keyword("SET", -1, "SET")).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"SET @a = 1, SESSION sql_mode = 'ANSI', GLOBAL max_connections = 10, @@session.x = 2"})
    void readsEveryAssignmentOfASetWithItsScope(String sql) throws SQLException {
        SessionState state = new SessionState();
        assertThat(state.record(sql, null, index -> null, false, true)).isTrue();
        assertThat(state.unrestorable()).isNull();
        assertThat(state.statements()).containsExactly("SET @a = 1", "SET SESSION sql_mode = 'ANSI'",
                "SET SESSION x = 2");
    }

    @ParameterizedTest
    @ValueSource(strings = {"CREATE TEMPORARY TABLE `Scratch` (id INT); INSERT INTO Scratch VALUES (';')"})
    void readsEveryStatementOfAMultiStatementText(String sql) throws SQLException {
        SessionState state = new SessionState();
        state.record(sql, null, index -> null, false, true);
        assertThat(state.unrestorable()).contains("temporary table `scratch`");
        state.record("DROP TABLE IF EXISTS other.scratch, more", null, index -> null, false, true);
        assertThat(state.unrestorable()).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"SET TRANSACTION ISOLATION LEVEL SERIALIZABLE"})
    void aTransactionCharacteristicWithoutScopeLastsOneStatement(String sql) throws SQLException {
        SessionState state = new SessionState();
        state.statementRan();
        state.record(sql, null, index -> null, false, true);
        assertThat(state.statements()).containsExactly(sql);
        state.statementRan();
        assertThat(state.statements()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED, READ ONLY"})
    void laterSettingsReplaceEarlierOnesAndJdbcSettersWin(String sql) throws SQLException {
        SessionState state = new SessionState();
        state.record("SET time_zone = '+01:00'", null, index -> null, false, true);
        state.record(sql, null, index -> null, false, true);
        state.record("SET @@time_zone = '+02:00'", null, index -> null, false, true);
        assertThat(state.statements()).containsExactly(
                "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED", "SET SESSION TRANSACTION READ ONLY",
                "SET SESSION time_zone = '+02:00'");
        state.readOnly(false);
        state.isolation(8);
        assertThat(state.statements()).containsExactly("SET SESSION time_zone = '+02:00'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"CALL refresh_totals(?)"})
    void aProcedureCallIsUnrestorableOnlyWithoutTheServersReports(String sql) throws SQLException {
        SessionState reported = new SessionState();
        reported.record(sql, null, index -> null, false, true);
        assertThat(reported.unrestorable()).isNull();
        SessionState unreported = new SessionState();
        unreported.record(sql, null, index -> null, false, false);
        assertThat(unreported.unrestorable()).contains("CALL refresh_totals");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{call refresh_totals(?)}", "{ ?= CALL refresh_totals(?) }"})
    void aProcedureCalledWithJdbcEscapesIsReadAsACall(String sql) throws SQLException {
        SessionState unreported = new SessionState();
        unreported.record(sql, null, index -> null, false, false);
        assertThat(unreported.unrestorable()).contains("CALL refresh_totals");
    }

    @ParameterizedTest
    @ValueSource(strings = {"SELECT GET_LOCK(CONCAT('job-', id), 0) FROM jobs"})
    void aLockWhoseNameCannotBeToldIsUnrestorable(String sql) throws SQLException {
        SessionState state = new SessionState();
        state.record(sql, null, index -> null, false, true);
        assertThat(state.unrestorable()).contains("named lock whose name LinkGuard cannot tell");
    }
}
