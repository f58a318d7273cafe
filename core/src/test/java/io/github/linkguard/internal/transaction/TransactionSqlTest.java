package io.github.linkguard.internal.transaction;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.linkguard.internal.transaction.TransactionSql.Kind;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What LinkGuard believes a statement's text does to the transaction where no server report says more. */
class TransactionSqlTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "SELECT * FROM t WHERE id = ?|PLAIN",
        "  /* hint */ select 1|PLAIN",
        "(SELECT 1) UNION (SELECT 2)|PLAIN",
        "WITH x AS (SELECT 1) SELECT * FROM x|PLAIN",
        "INSERT INTO t VALUES (1)|PLAIN",
        "update t set v = 1|PLAIN",
        "DELETE FROM t|PLAIN",
        "REPLACE INTO t VALUES (1)|PLAIN",
        "SAVEPOINT s1|PLAIN",
        "ROLLBACK TO SAVEPOINT s1|PLAIN",
        "ROLLBACK WORK TO s1|PLAIN",
        "RELEASE SAVEPOINT s1|PLAIN",
        "SET @x = 1|PLAIN",
        "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED|PLAIN",
        "SHOW VARIABLES|PLAIN",
        "CREATE TEMPORARY TABLE tmp (id INT)|PLAIN",
        "DROP TEMPORARY TABLE tmp|PLAIN",
        "LOAD DATA LOCAL INFILE 'x' INTO TABLE t|PLAIN",
        "BEGIN|BEGINS",
        "begin work|BEGINS",
        "START TRANSACTION|BEGINS",
        "START TRANSACTION READ ONLY|BEGINS",
        "start transaction with consistent snapshot|BEGINS",
        "BEGIN NOT ATOMIC SELECT 1; END|UNKNOWN",
        "COMMIT|COMMITS",
        "commit work|COMMITS",
        "COMMIT AND NO CHAIN|COMMITS",
        "COMMIT RELEASE|COMMITS",
        "COMMIT;|COMMITS",
        "ROLLBACK|ROLLS_BACK",
        "ROLLBACK WORK AND NO CHAIN NO RELEASE|ROLLS_BACK",
        "COMMIT AND CHAIN|CHAINS",
        "ROLLBACK AND CHAIN|CHAINS",
        "COMMIT AND CHAIN NO RELEASE|CHAINS",
        "COMMIT /* to */|COMMITS",
        "CREATE TABLE t (id INT)|MAY_COMMIT",
        "CREATE OR REPLACE TABLE t (id INT)|MAY_COMMIT",
        "CREATE OR REPLACE TEMPORARY TABLE t (id INT)|PLAIN",
        "ALTER TABLE t ADD COLUMN v INT|MAY_COMMIT",
        "DROP TABLE t|MAY_COMMIT",
        "TRUNCATE TABLE t|MAY_COMMIT",
        "RENAME TABLE a TO b|MAY_COMMIT",
        "GRANT SELECT ON t TO u|MAY_COMMIT",
        "LOCK TABLES t WRITE|MAY_COMMIT",
        "ANALYZE TABLE t|MAY_COMMIT",
        "SET autocommit = 1|MAY_COMMIT",
        "SET @@autocommit = 0|MAY_COMMIT",
        "SET PASSWORD = PASSWORD('x')|MAY_COMMIT",
        "LOAD INDEX INTO CACHE t|MAY_COMMIT",
        "CALL p()|UNKNOWN",
        "{call p(?)}|UNKNOWN",
        "XA START 'x'|UNKNOWN",
        "COMMIT; INSERT INTO t VALUES (1)|UNKNOWN",
        "/*!40101 SET NAMES utf8 */|UNKNOWN",
        "HELP 'x'|UNKNOWN",
        "START SLAVE|UNKNOWN"})
    void kinds(String sql, Kind kind) {
        assertThat(TransactionSql.kind(sql)).isEqualTo(kind);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "CALL audit_proc(1)|CALL AUDIT_PROC",
        "  commit and chain|COMMIT AND",
        "(SELECT 1)|(",
        "-- only a comment|a statement"})
    void firstWordsNameTheStatement(String sql, String words) {
        assertThat(TransactionSql.firstWords(sql)).isEqualTo(words);
    }
}
