package io.github.linkguard;

import static org.assertj.core.api.Assertions.assertThat;

import com.mysql.cj.jdbc.JdbcConnection;
import io.github.linkguard.internal.session.ServerReports;
import io.github.linkguard.testkit.EmbeddedMariaDb;
import io.github.linkguard.testkit.MariaDbExtension;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What the server reports of the transaction after each class of statement
 * ({@code session_track_transaction_info=STATE} and the status flag), measured on the server the tests run
 * against (the embedded MariaDB 11.4, and Debian's 10.11 in {@code .ci/run}): the facts LinkGuard's transaction
 * room relies on. Prints the table docs/transactions.md shows.
 */
@ExtendWith(MariaDbExtension.class)
class TransactionReportsTest {

    private static final String LEGACY = "reports_legacy";

    @BeforeAll
    static void createObjects(EmbeddedMariaDb db) {
        db.execute("CREATE TABLE IF NOT EXISTS test.rep_innodb (id INT PRIMARY KEY AUTO_INCREMENT, v INT) ENGINE=InnoDB",
                "CREATE TABLE IF NOT EXISTS test.rep_audited (id INT PRIMARY KEY AUTO_INCREMENT, v INT) ENGINE=InnoDB",
                "CREATE DATABASE IF NOT EXISTS " + LEGACY,
                "CREATE TABLE IF NOT EXISTS " + LEGACY + ".rep_myisam (v INT) ENGINE=MyISAM",
                "CREATE TABLE IF NOT EXISTS " + LEGACY + ".rep_aria (v INT) ENGINE=Aria",
                "CREATE TABLE IF NOT EXISTS " + LEGACY + ".rep_memory (v INT) ENGINE=MEMORY",
                "CREATE OR REPLACE TRIGGER test.rep_audit AFTER INSERT ON test.rep_audited FOR EACH ROW "
                        + "INSERT INTO " + LEGACY + ".rep_myisam VALUES (NEW.v)",
                "CREATE OR REPLACE FUNCTION test.rep_fn(x INT) RETURNS INT MODIFIES SQL DATA BEGIN "
                        + "INSERT INTO " + LEGACY + ".rep_myisam VALUES (x); RETURN x; END",
                "CREATE OR REPLACE PROCEDURE test.rep_commits() BEGIN INSERT INTO test.rep_innodb (v) VALUES (1); "
                        + "COMMIT; END",
                "CREATE OR REPLACE PROCEDURE test.rep_begins() BEGIN START TRANSACTION; "
                        + "INSERT INTO test.rep_innodb (v) VALUES (1); END",
                "CREATE SEQUENCE IF NOT EXISTS test.rep_seq",
                "DROP TABLE IF EXISTS test.rep_ddl");
    }

    @AfterAll
    static void dropObjects(EmbeddedMariaDb db) {
        db.execute("DROP TRIGGER IF EXISTS test.rep_audit", "DROP FUNCTION IF EXISTS test.rep_fn",
                "DROP DATABASE IF EXISTS " + LEGACY, "DROP TABLE IF EXISTS test.rep_ddl");
    }

    /** One statement's row of the table: what ran, the report, the status flag. */
    private record Row(String sql, String report, boolean open) {
    }

    private final List<Row> table = new ArrayList<>();

    @Test
    void theServerReportsWhereTransactionsBeginAndEndAndWhatTheyWrote(EmbeddedMariaDb db) throws Exception {
        String url = db.jdbcUrl() + "&trackSessionState=true&sessionVariables=" + ServerReports.STATE_CHANGE_VARIABLE
                + "," + ServerReports.TRANSACTION_STATE_VARIABLE;
        try (Connection connection = DriverManager.getConnection(url, db.user(), db.password());
                Statement statement = connection.createStatement()) {
            ServerReports reports = ServerReports.of(connection, new ServerReports.Tracked(true, true));
            assertThat(reports.reportsTransactions()).isTrue();

            // explicit transactions: begin, transactional and non-transactional writes, commit
            expect(run(statement, reports, "START TRANSACTION"), true, "T", false, false);
            expect(run(statement, reports, "INSERT INTO rep_innodb (v) VALUES (1)"), true, "T", false, true);
            expect(run(statement, reports, "INSERT INTO " + LEGACY + ".rep_myisam VALUES (1)"), true, "T", true, true);
            expect(run(statement, reports, "COMMIT"), false, "_", false, false);
            expect(run(statement, reports, "BEGIN"), true, "T", false, false);
            expect(run(statement, reports, "INSERT INTO " + LEGACY + ".rep_aria VALUES (1)"), true, "T", true, false);
            expect(run(statement, reports, "ROLLBACK"), false, "_", false, false);
            expect(run(statement, reports, "START TRANSACTION"), true, "T", false, false);
            expect(run(statement, reports, "INSERT INTO " + LEGACY + ".rep_memory VALUES (1)"), true, "T", true, false);
            expect(run(statement, reports, "ROLLBACK"), false, "_", false, false);
            // a trigger and a function that write MyISAM, invisible in the text
            expect(run(statement, reports, "START TRANSACTION"), true, "T", false, false);
            expect(run(statement, reports, "INSERT INTO rep_audited (v) VALUES (1)"), true, "T", true, true);
            expect(run(statement, reports, "COMMIT"), false, "_", false, false);
            expect(run(statement, reports, "START TRANSACTION"), true, "T", false, false);
            expect(run(statement, reports, "SELECT rep_fn(8)"), true, "T", true, false);
            expect(run(statement, reports, "COMMIT AND CHAIN"), true, "T", false, false);
            expect(run(statement, reports, "ROLLBACK"), false, "_", false, false);
            // auto-commit: a function's write is not reported (no transaction stays open)
            expect(run(statement, reports, "SELECT rep_fn(7)"), false, null, false, false);
            // procedures: one that commits, one that begins
            expect(run(statement, reports, "START TRANSACTION"), true, "T", false, false);
            expect(run(statement, reports, "CALL rep_commits()"), false, "_", false, false);
            expect(run(statement, reports, "CALL rep_begins()"), true, "T", false, true);
            expect(run(statement, reports, "COMMIT"), false, "_", false, false);
            // implicit commits inside a transaction
            expect(run(statement, reports, "START TRANSACTION"), true, "T", false, false);
            expect(run(statement, reports, "INSERT INTO rep_innodb (v) VALUES (1)"), true, "T", false, true);
            expect(run(statement, reports, "CREATE TABLE rep_ddl (id INT)"), false, "_", false, false);
            expect(run(statement, reports, "START TRANSACTION"), true, "T", false, false);
            expect(run(statement, reports, "INSERT INTO rep_innodb (v) VALUES (1)"), true, "T", false, true);
            expect(run(statement, reports, "TRUNCATE TABLE rep_ddl"), false, "_", false, false);
            // a sequence's next value is reported as a transactional write (it is never rolled back)
            expect(run(statement, reports, "START TRANSACTION"), true, "T", false, false);
            expect(run(statement, reports, "SELECT NEXTVAL(rep_seq)"), true, "T", false, true);
            expect(run(statement, reports, "ROLLBACK"), false, "_", false, false);
            // savepoints change nothing the report shows
            expect(run(statement, reports, "START TRANSACTION"), true, "T", false, false);
            expect(run(statement, reports, "INSERT INTO rep_innodb (v) VALUES (1)"), true, "T", false, true);
            expect(run(statement, reports, "SAVEPOINT s1"), true, null, false, false);
            expect(run(statement, reports, "ROLLBACK TO SAVEPOINT s1"), true, null, false, false);
            expect(run(statement, reports, "COMMIT"), false, "_", false, false);
            // auto-commit off, as JDBC and SET autocommit make it: implicit transactions
            run(statement, reports, "SET autocommit = 0");
            expect(run(statement, reports, "SELECT 1"), false, null, false, false); // no table: none opens
            expect(run(statement, reports, "SELECT * FROM rep_innodb LIMIT 1"), true, "I", false, false);
            expect(run(statement, reports, "INSERT INTO rep_innodb (v) VALUES (1)"), true, "I", false, true);
            expect(run(statement, reports, "DROP TABLE rep_ddl"), false, "_", false, false);
            expect(run(statement, reports, "INSERT INTO rep_innodb (v) VALUES (1)"), true, "I", false, true);
            expect(run(statement, reports, "COMMIT"), false, "_", false, false);
            run(statement, reports, "SET autocommit = 1");
        }
        StringBuilder printed = new StringBuilder("| statement | reported state | in transaction (status flag) |\n"
                + "|---|---|---|\n");
        for (Row row : table) {
            printed.append("| `").append(row.sql().replace(LEGACY + ".", "")).append("` | ")
                    .append(row.report() == null ? "(none)" : "`" + row.report() + "`").append(" | ")
                    .append(row.open() ? "yes" : "no").append(" |\n");
        }
        System.out.println("Transaction reports on " + db + ":\n" + printed);
    }

    private Row run(Statement statement, ServerReports reports, String sql) throws SQLException {
        if (statement.execute(sql)) {
            try (ResultSet rows = statement.getResultSet()) {
                while (rows.next()) {
                    rows.getObject(1);
                }
            }
        }
        Row row = new Row(sql, reports.transactionState(), reports.inTransaction());
        table.add(row);
        return row;
    }

    /**
     * The row says: open or not (status flag); the report's first character ({@code T}, {@code I}, {@code _}),
     * or null for no report; and whether it shows a non-transactional ({@code w}) and transactional ({@code W})
     * write.
     */
    private static void expect(Row row, boolean open, String first, boolean nonTransactional, boolean transactional) {
        assertThat(row.open()).as("in transaction after %s", row.sql()).isEqualTo(open);
        if (first == null) {
            assertThat(row.report()).as("report after %s", row.sql()).isNull();
            return;
        }
        assertThat(row.report()).as("report after %s", row.sql()).hasSize(8).startsWith(first);
        assertThat(row.report().charAt(3) == 'w').as("w after %s: %s", row.sql(), row.report())
                .isEqualTo(nonTransactional);
        assertThat(row.report().charAt(4) == 'W').as("W after %s: %s", row.sql(), row.report())
                .isEqualTo(transactional);
    }
}
