package io.github.linkguard.internal.retry;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Which texts only read (retried in auto-commit; a transaction of them has nothing to commit): a stored
 * function may write, so a call of one is not a read.
 */
class SqlStatementsTest {

    @ParameterizedTest
    @ValueSource(strings = {"SELECT 1", "  select id from t where id = ?", "/* hint */ SELECT * FROM t",
        "-- why\nSELECT a FROM t", "WITH x AS (SELECT 1) SELECT * FROM x", "(SELECT 1) UNION (SELECT 2)",
        "SHOW VARIABLES", "desc t", "DESCRIBE t", "EXPLAIN SELECT 1", "SELECT updated_at FROM t",
        "SELECT COUNT(*), MAX(v) FROM t WHERE id IN (?, ?)", "SELECT * FROM (SELECT 1) x", "SELECT NOW(), CONCAT(a, b) FROM t"})
    void reads(String sql) {
        assertThat(SqlStatements.readOnly(sql)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"SELECT * FROM t FOR UPDATE", "select * from t for\nupdate", "SELECT * FROM t\tFOR SHARE",
        "SELECT * FROM t LOCK IN SHARE MODE", "SELECT 1 INTO @x", "select a from t into\noutfile '/tmp/x'",
        "INSERT INTO t SELECT * FROM u", "UPDATE t SET a = 1", "DELETE FROM t", "REPLACE INTO t VALUES (1)",
        "SET @x = 1", "CALL p()", "/*!40101 SELECT 1 */", "", "  ",
        "SELECT audit_fn(7)", "SELECT id, app.next_id() FROM t", "SELECT `audit`(1)"})
    void doesNotRead(String sql) {
        assertThat(SqlStatements.readOnly(sql)).isFalse();
    }
}
