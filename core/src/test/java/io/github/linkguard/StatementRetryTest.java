package io.github.linkguard;

import static io.github.linkguard.Pools.execute;
import static io.github.linkguard.Pools.number;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.github.linkguard.testkit.EmbeddedMariaDb;
import io.github.linkguard.testkit.FaultProxy;
import io.github.linkguard.testkit.MariaDbExtension;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransactionRollbackException;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** After a lost link the application's Connection stays usable; only what is safe runs again. */
@ExtendWith(MariaDbExtension.class)
@Timeout(60)
class StatementRetryTest {

    @BeforeAll
    static void createTables(EmbeddedMariaDb db) {
        db.execute("CREATE DATABASE IF NOT EXISTS other",
                "CREATE TABLE IF NOT EXISTS other.marker (name VARCHAR(10))",
                "CREATE TABLE IF NOT EXISTS ledger (id INT PRIMARY KEY AUTO_INCREMENT, note VARCHAR(40))");
    }

    @BeforeEach
    void emptyLedger(EmbeddedMariaDb db) {
        db.execute("DELETE FROM ledger");
    }

    private static Pools.Guarded guard(EmbeddedMariaDb db, String url) {
        return Pools.guard(Pools.hikari(db, url), builder -> builder.maxAttempts(3));
    }

    @Test
    void aReadRecoversOnAFreshLinkWithItsStatementAndSessionRestored(EmbeddedMariaDb db) throws Exception {
        try (FaultProxy proxy = FaultProxy.start(db.host(), db.port());
                Pools.Guarded guarded = guard(db, EmbeddedMariaDb.jdbcUrl(proxy.host(), proxy.port()));
                Connection connection = guarded.dataSource().getConnection()) {
            connection.setCatalog("other");
            connection.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
            PreparedStatement select = connection.prepareStatement(
                    "SELECT ? + 1, DATABASE(), @@session.transaction_isolation");
            select.setMaxRows(5);
            select.setInt(1, 41);
            assertThat(first(select)).isEqualTo("42 other SERIALIZABLE");

            proxy.dropAll();

            assertThat(first(select)).isEqualTo("42 other SERIALIZABLE");
            assertThat(select.getMaxRows()).isEqualTo(5);
            assertThat(guarded.outcomes(Cause.NETWORK, "recovered")).isEqualTo(1);
            assertThat(connection.isClosed()).isFalse();
        }
    }

    @Test
    void aPlainStatementReadIsRetriedAndAStatementMadeBeforeTheLossStillWorks(EmbeddedMariaDb db) throws Exception {
        try (FaultProxy proxy = FaultProxy.start(db.host(), db.port());
                Pools.Guarded guarded = guard(db, EmbeddedMariaDb.jdbcUrl(proxy.host(), proxy.port()));
                Connection connection = guarded.dataSource().getConnection();
                Statement reader = connection.createStatement();
                PreparedStatement insert = connection.prepareStatement("INSERT INTO ledger (note) VALUES (?)")) {
            insert.setString(1, "before");
            proxy.dropAll();

            try (ResultSet rows = reader.executeQuery("SELECT COUNT(*) FROM ledger")) {
                rows.next();
                assertThat(rows.getInt(1)).isZero();
            }
            assertThat(insert.executeUpdate()).isEqualTo(1); // re-created on the fresh link, its parameter re-bound
            assertThat(count(db)).isEqualTo(1);
        }
    }

    @Test
    void everyKindOfParameterIsBoundAgainOnTheFreshLinkBeyondTheFirstFour(EmbeddedMariaDb db) throws Exception {
        try (FaultProxy proxy = FaultProxy.start(db.host(), db.port());
                Pools.Guarded guarded = guard(db, EmbeddedMariaDb.jdbcUrl(proxy.host(), proxy.port()));
                Connection connection = guarded.dataSource().getConnection();
                PreparedStatement select = connection.prepareStatement("SELECT CONCAT_WS('|', ?, ?, ?, ?, ?, "
                        + "IFNULL(?, 'null'), ?, ?, HEX(?), ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            select.setLong(1, 1L << 40);
            select.setString(2, "text");
            select.setInt(3, -7);
            select.setDouble(4, 2.5);
            select.setBigDecimal(5, new java.math.BigDecimal("12.34"));
            select.setNull(6, java.sql.Types.VARCHAR);
            select.setBoolean(7, true);
            select.setTimestamp(8, java.sql.Timestamp.valueOf("2026-11-23 10:00:00"));
            select.setBytes(9, new byte[] {1, 2, 3});
            select.setObject(10, "object");
            select.setFloat(11, 1.5f);
            select.setShort(12, (short) 3);
            select.setByte(13, (byte) 4);
            select.setDate(14, java.sql.Date.valueOf("2026-11-23"));
            select.setTime(15, java.sql.Time.valueOf("10:11:12"));
            select.setNString(16, "nstring");
            select.setObject(17, 5, java.sql.Types.INTEGER);
            select.setObject(18, "typed", java.sql.JDBCType.VARCHAR);
            String before = single(select);
            assertThat(before).isEqualTo("1099511627776|text|-7|2.5|12.34|null|1|2026-11-23 10:00:00|010203|object|"
                    + "1.5|3|4|2026-11-23|10:11:12|nstring|5|typed");

            proxy.dropAll();

            assertThat(single(select)).isEqualTo(before);
            assertThat(guarded.outcomes(Cause.NETWORK, "recovered")).isEqualTo(1);
        }
    }

    @Test
    void aWriteWhoseOutcomeIsUnknownIsNotRetriedAndSurfacesAs08007(EmbeddedMariaDb db) throws Exception {
        try (Pools.Guarded guarded = guard(db, db.jdbcUrl() + "&socketTimeout=1000");
                Connection connection = guarded.dataSource().getConnection();
                Statement statement = connection.createStatement()) {
            // the server completes the insert after the client gave up waiting: the duplicate-write trap
            assertThatThrownBy(() -> statement.executeUpdate(
                    "INSERT INTO ledger (note) SELECT 'slow' FROM DUAL WHERE SLEEP(2) = 0"))
                    .isInstanceOf(SQLException.class)
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("08007"))
                    .satisfies(e -> assertThat(e.getCause()).hasRootCauseInstanceOf(java.net.SocketTimeoutException.class))
                    .satisfies(e -> assertThat(Diagnosis.of(e)).map(Diagnosis::cause).contains(Cause.SOCKET_TIMEOUT));
            Pools.idle(Duration.ofMillis(1500));

            assertThat(count(db)).isEqualTo(1);
            assertThat(guarded.notRetried(Cause.SOCKET_TIMEOUT)).isEqualTo(1);
            execute(connection, "SELECT 1"); // and the connection goes on, on a fresh link
        }
    }

    @Test
    void aReadThatOutlivesSocketTimeoutIsNotSentAgainToTheSlowServer(EmbeddedMariaDb db) throws Exception {
        // every execution leaves a row in a MyISAM table (kept whatever happens to the statement), then takes 1.5 s
        db.execute("USE test", "CREATE TABLE IF NOT EXISTS executions (id INT AUTO_INCREMENT PRIMARY KEY) ENGINE=MyISAM",
                "DELETE FROM executions",
                "CREATE OR REPLACE FUNCTION slow_read() RETURNS INT NOT DETERMINISTIC MODIFIES SQL DATA "
                        + "BEGIN INSERT INTO executions VALUES (NULL); DO SLEEP(1.5); RETURN 1; END");
        try (Pools.Guarded guarded = guard(db, db.jdbcUrl() + "&socketTimeout=1000");
                Connection connection = guarded.dataSource().getConnection()) {
            assertThatThrownBy(() -> Pools.number(connection, "SELECT slow_read()"))
                    .isInstanceOf(SQLException.class)
                    .satisfies(e -> assertThat(Diagnosis.of(e)).map(Diagnosis::cause).contains(Cause.SOCKET_TIMEOUT));
            Pools.idle(Duration.ofMillis(2000)); // whatever was sent has finished on the server

            assertThat(Pools.number(db, "SELECT COUNT(*) FROM test.executions")).as("executions on the server")
                    .isEqualTo(1); // with three attempts it used to be 3
            assertThat(guarded.notRetried(Cause.SOCKET_TIMEOUT)).isEqualTo(1);
            execute(connection, "SELECT 1"); // the connection goes on, on a fresh link
        }
    }

    @ParameterizedTest(name = "budget ratio {0}, TLS {1}")
    @CsvSource({"0.1, false", "0.1, true", "10, false"})
    void theRetryBudgetCapsWhatRetriesAddToAServerThatFailsEveryStatement(double ratio, boolean tls,
            EmbeddedMariaDb db) throws Exception {
        // every execution leaves a row in a MyISAM table (kept whatever happens to the statement) and outlives
        // the client's socketTimeout; the application asked for such reads to be retried (a retryRule)
        db.execute("USE test", "CREATE TABLE IF NOT EXISTS executions (id INT AUTO_INCREMENT PRIMARY KEY) ENGINE=MyISAM",
                "DELETE FROM executions",
                "CREATE OR REPLACE FUNCTION slow_read() RETURNS INT NOT DETERMINISTIC MODIFIES SQL DATA "
                        + "BEGIN INSERT INTO executions VALUES (NULL); DO SLEEP(0.4); RETURN 1; END");
        int calls = 10;
        try (Pools.Guarded guarded = Pools.guard(Pools.lazyHikari(db, Pools.url(db, tls) + "&socketTimeout=200"),
                builder -> builder.maxAttempts(3).initialInterval(Duration.ofMillis(10)).maxInterval(Duration.ofMillis(20))
                        .retryRule((cause, sql, byDefault) -> true).retryBudgetRatio(ratio).retryBudgetMinimum(0))) {
            for (int call = 0; call < calls; call++) {
                boolean inTransaction = call % 2 == 1; // half of them as the first read of a transaction
                try (Connection connection = guarded.dataSource().getConnection()) {
                    connection.setAutoCommit(!inTransaction);
                    assertThatThrownBy(() -> Pools.number(connection, "SELECT slow_read()"))
                            .isInstanceOf(SQLException.class)
                            .satisfies(e -> assertThat(Diagnosis.of(e).map(Diagnosis::cause)).as("%s", e)
                                    .contains(Cause.SOCKET_TIMEOUT));
                    if (inTransaction) {
                        connection.rollback();
                    }
                }
            }
            Pools.idle(Duration.ofMillis(600)); // whatever was sent has finished on the server
            double perCall = Pools.number(db, "SELECT COUNT(*) FROM test.executions") / (double) calls;
            var refused = guarded.registry().find("linkguard.retry.budget.refused").tag("cause", "socket-timeout")
                    .counter();
            if (ratio < 1) {
                assertThat(perCall).as("executions on the server per call").isLessThanOrEqualTo(1.1);
                assertThat(refused).isNotNull();
                assertThat(refused.count()).as("retries the budget refused").isGreaterThanOrEqualTo(calls - 1);
            } else {
                // the one more copy the rule asked for; a second socket timeout is not sent again whatever the rule says
                assertThat(perCall).as("executions per call with a budget that allows every retry").isEqualTo(2);
                assertThat(refused).isNull();
            }
        }
    }

    @Test
    void closingAConnectionWhoseLinkBrokeAsTheApplicationLetGoOfItSucceeds(EmbeddedMariaDb db) throws Exception {
        try (FaultProxy proxy = FaultProxy.start(db.host(), db.port());
                Pools.Guarded guarded = guard(db, EmbeddedMariaDb.jdbcUrl(proxy.host(), proxy.port()))) {
            Connection connection = guarded.dataSource().getConnection();
            connection.setReadOnly(true); // the pool resets it when the connection comes back
            execute(connection, "SELECT 1");
            proxy.dropAll();

            connection.close(); // HikariCP's reset meets the broken link; the application's work was done

            assertThat(connection.isClosed()).isTrue();
            assertThat(guarded.dataSource().unwrap(HikariDataSource.class).getHikariPoolMXBean().getTotalConnections())
                    .as("connections in the pool").isZero();
            assertThat(guarded.outcomes(Cause.NETWORK, "recovered")).isEqualTo(1);
        }
    }

    @Test
    void aWriteDeclaredIdempotentIsRetried(EmbeddedMariaDb db) throws Exception {
        try (FaultProxy proxy = FaultProxy.start(db.host(), db.port());
                Pools.Guarded guarded = guard(db, EmbeddedMariaDb.jdbcUrl(proxy.host(), proxy.port()));
                Connection connection = guarded.dataSource().getConnection()) {
            execute(connection, "SELECT 1");
            proxy.dropAll();

            execute(connection, "/* linkguard:idempotent */ INSERT INTO ledger (id, note) VALUES (7, 'upsert') "
                    + "ON DUPLICATE KEY UPDATE note = 'upsert'");

            assertThat(count(db)).isEqualTo(1);
            assertThat(guarded.outcomes(Cause.NETWORK, "recovered")).isEqualTo(1);
        }
    }

    @Test
    void aTransactionWhoseLinkIsLostWithoutReplayCommitsNothingAndRefusesWorkUntilRollback(EmbeddedMariaDb db)
            throws Exception {
        try (FaultProxy proxy = FaultProxy.start(db.host(), db.port());
                Pools.Guarded guarded = Pools.guard(Pools.hikari(db, EmbeddedMariaDb.jdbcUrl(proxy.host(), proxy.port())),
                        builder -> builder.maxAttempts(3).transactionReplay(false));
                Connection connection = guarded.dataSource().getConnection()) {
            connection.setAutoCommit(false);
            execute(connection, "INSERT INTO ledger (note) VALUES ('first half')");
            proxy.dropAll();

            assertThatThrownBy(() -> execute(connection, "INSERT INTO ledger (note) VALUES ('second half')"))
                    .isInstanceOf(SQLException.class)
                    .satisfies(e -> assertThat(Diagnosis.of(e)).isPresent());
            assertThatThrownBy(() -> execute(connection, "SELECT 1"))
                    .isInstanceOf(SQLTransactionRollbackException.class).hasMessageContaining("rollback()");
            assertThatThrownBy(connection::commit).isInstanceOf(SQLTransactionRollbackException.class);
            assertThatThrownBy(() -> connection.setAutoCommit(true)).isInstanceOf(SQLTransactionRollbackException.class);

            connection.rollback();

            assertThat(connection.getAutoCommit()).isFalse();
            execute(connection, "INSERT INTO ledger (note) VALUES ('again')");
            connection.commit();
            assertThat(count(db)).isEqualTo(1); // only the work after the rollback
        }
    }

    /**
     * The pool had started before LinkGuard wrapped it, so the server does not report transaction states and
     * the transaction cannot be replayed: the lost COMMIT is still resolved as not committed, but as this
     * server has a non-transactional table (the test makes sure) which the transaction may have written
     * unreported, it says so with 08007 rather than "nothing of it was committed" (40000).
     */
    @Test
    void aCommitThatLosesTheLinkIsResolvedAsNotCommitted(EmbeddedMariaDb db) throws Exception {
        db.execute("CREATE DATABASE IF NOT EXISTS lg_unreported",
                "CREATE TABLE IF NOT EXISTS lg_unreported.kept (v INT) ENGINE=MyISAM");
        try (FaultProxy proxy = FaultProxy.start(db.host(), db.port());
                Pools.Guarded guarded = guard(db, EmbeddedMariaDb.jdbcUrl(proxy.host(), proxy.port()));
                Connection connection = guarded.dataSource().getConnection()) {
            connection.setAutoCommit(false);
            execute(connection, "INSERT INTO ledger (note) VALUES ('not committed')");
            proxy.dropAll();

            assertThatThrownBy(connection::commit)
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("08007"))
                    .hasMessageContaining("the server confirms that the transaction did not commit, but it may have "
                            + "written").hasMessageContaining("lg_unreported.kept (MyISAM)");
            execute(connection, "SELECT 1"); // the connection goes on
            connection.rollback();
        }
        assertThat(number(db, "SELECT COUNT(*) FROM test.ledger WHERE note = 'not committed'")).isZero();
    }

    @Test
    void aRetryRuleWidensAndNarrowsTheDefault(EmbeddedMariaDb db) throws Exception {
        try (FaultProxy proxy = FaultProxy.start(db.host(), db.port());
                Pools.Guarded guarded = Pools.guard(Pools.hikari(db, EmbeddedMariaDb.jdbcUrl(proxy.host(), proxy.port())),
                        builder -> builder.maxAttempts(3).retryRule((cause, sql, byDefault) ->
                                sql.startsWith("INSERT INTO ledger") || (byDefault && !sql.contains("ledger"))));
                Connection connection = guarded.dataSource().getConnection()) {
            execute(connection, "SELECT 1");
            proxy.dropAll();
            execute(connection, "INSERT INTO ledger (note) VALUES ('widened')"); // a write, retried by the rule
            assertThat(count(db)).isEqualTo(1);

            proxy.dropAll();
            assertThatThrownBy(() -> execute(connection, "SELECT COUNT(*) FROM ledger")) // a read, narrowed away
                    .isInstanceOf(SQLException.class)
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("08S01"));
            assertThat(guarded.notRetried(Cause.NETWORK)).isEqualTo(1);
        }
    }

    @Test
    void aConnectionToAServerThatTurnedReadOnlyIsReplaced(EmbeddedMariaDb db) throws Exception {
        db.execute("CREATE USER IF NOT EXISTS 'writer'@'%' IDENTIFIED BY 'writer'",
                "GRANT SELECT, INSERT ON test.* TO 'writer'@'%'");
        HikariDataSource pool = Pools.hikari(db, db.jdbcUrl());
        pool.setUsername("writer");
        pool.setPassword("writer");
        try (Pools.Guarded guarded = Pools.guard(pool, builder -> builder.maxAttempts(3));
                Connection connection = guarded.dataSource().getConnection()) {
            long before = connectionId(connection);
            db.execute("SET GLOBAL read_only = ON");
            try {
                assertThatThrownBy(() -> execute(connection, "INSERT INTO ledger (note) VALUES ('refused')"))
                        .isInstanceOf(SQLException.class)
                        .satisfies(e -> assertThat(((SQLException) e).getErrorCode()).isEqualTo(1290));
            } finally {
                db.execute("SET GLOBAL read_only = OFF");
            }
            assertThat(connectionId(connection)).isNotEqualTo(before);
        }
    }

    @Test
    void noConnectionLeaksFromThePool(EmbeddedMariaDb db) throws Exception {
        try (FaultProxy proxy = FaultProxy.start(db.host(), db.port());
                Pools.Guarded guarded = guard(db, EmbeddedMariaDb.jdbcUrl(proxy.host(), proxy.port()))) {
            for (int i = 0; i < 3; i++) {
                try (Connection connection = guarded.dataSource().getConnection()) {
                    execute(connection, "SELECT 1");
                    proxy.dropAll();
                    execute(connection, "SELECT 2");
                }
            }
            HikariDataSource pool = guarded.dataSource().unwrap(HikariDataSource.class);
            assertThat(pool.getHikariPoolMXBean().getActiveConnections()).isZero();
        }
    }

    private static String first(PreparedStatement select) throws SQLException {
        try (ResultSet rows = select.executeQuery()) {
            rows.next();
            return rows.getString(1) + " " + rows.getString(2) + " " + rows.getString(3);
        }
    }

    private static String single(PreparedStatement select) throws SQLException {
        try (ResultSet rows = select.executeQuery()) {
            rows.next();
            return rows.getString(1);
        }
    }

    private static long connectionId(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT CONNECTION_ID()")) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private static int count(EmbeddedMariaDb db) throws SQLException {
        try (Connection admin = db.adminConnection(); Statement statement = admin.createStatement();
                ResultSet rows = statement.executeQuery("SELECT COUNT(*) FROM ledger")) {
            rows.next();
            return rows.getInt(1);
        }
    }
}
