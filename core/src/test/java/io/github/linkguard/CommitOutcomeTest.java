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
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A COMMIT lost with its link is resolved exactly: LinkGuard learns on a fresh link whether it took effect
 * (after making sure the old session can no longer commit) and either returns normally or replays the
 * transaction and commits it; each transaction's rows are there exactly once. The link is lost where it
 * hurts: the session killed before {@code commit()}, the COMMIT lost on its way, its answer lost after the
 * server committed, a partition that leaves the old session (and its open transaction) alive at the server.
 * TLS off and on.
 */
@ExtendWith(MariaDbExtension.class)
@Timeout(120)
class CommitOutcomeTest {

    private static final String INTERCEPTED = "&queryInterceptors=" + BeforeCommit.class.getName();

    @BeforeAll
    static void createTable(EmbeddedMariaDb db) {
        db.execute("CREATE TABLE IF NOT EXISTS outcome_rows (id INT PRIMARY KEY, v INT NOT NULL)");
    }

    @BeforeEach
    void empty(EmbeddedMariaDb db) {
        db.execute("DELETE FROM outcome_rows");
    }

    @AfterEach
    void disarm() {
        BeforeCommit.disarm();
    }

    private static Pools.Guarded guard(EmbeddedMariaDb db, String url) {
        return Pools.guard(Pools.lazyHikari(db, url), builder -> builder.maxAttempts(3));
    }

    /** LinkGuard over a pool whose connections go through {@code proxy} and {@link BeforeCommit}. */
    private static Pools.Guarded guardThrough(FaultProxy proxy, EmbeddedMariaDb db, boolean tls) {
        return guard(db, Pools.url(EmbeddedMariaDb.jdbcUrl(proxy.host(), proxy.port()), tls) + INTERCEPTED);
    }

    /** Four inserts in a transaction, then {@code beforeCommit}, then {@code commit()}. */
    private static void fourInsertsThenCommit(Connection connection, Consumer<Long> beforeCommit) throws SQLException {
        long session = number(connection, "SELECT CONNECTION_ID()");
        connection.setAutoCommit(false);
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO outcome_rows VALUES (?, ?)")) {
            for (int id = 1; id <= 4; id++) {
                insert.setInt(1, id);
                insert.setInt(2, id * 10);
                assertThat(insert.executeUpdate()).isEqualTo(1);
            }
        }
        beforeCommit.accept(session);
        connection.commit();
    }

    private static double outcomes(Pools.Guarded guarded, String outcome) {
        Counter counter = guarded.registry().find("linkguard.commit.outcomes").tag("outcome", outcome).counter();
        return counter == null ? 0 : counter.count();
    }

    private static void assertCommittedOnce(EmbeddedMariaDb db) throws SQLException {
        assertThat(number(db, "SELECT COUNT(*) FROM test.outcome_rows")).isEqualTo(4);
        assertThat(number(db, "SELECT SUM(v) FROM test.outcome_rows")).isEqualTo(100);
    }

    @ParameterizedTest(name = "TLS {0}")
    @ValueSource(booleans = {false, true})
    void aSessionKilledBeforeCommitIsReplayedAndCommitted(boolean tls, EmbeddedMariaDb db) throws Exception {
        try (Pools.Guarded guarded = guard(db, Pools.url(db, tls));
                Connection connection = guarded.dataSource().getConnection()) {
            fourInsertsThenCommit(connection, session -> db.execute("KILL CONNECTION " + session));
            assertThat(connection.getAutoCommit()).isFalse();
            assertThat(outcomes(guarded, "replayed")).isEqualTo(1);
            execute(connection, "UPDATE outcome_rows SET v = v WHERE id = 1"); // the connection goes on
            connection.commit();
        }
        assertCommittedOnce(db);
    }

    @ParameterizedTest(name = "TLS {0}")
    @ValueSource(booleans = {false, true})
    void aCommitLostOnItsWayIsReplayedAndCommitted(boolean tls, EmbeddedMariaDb db) throws Exception {
        try (FaultProxy proxy = FaultProxy.start(db.host(), db.port());
                Pools.Guarded guarded = guardThrough(proxy, db, tls);
                Connection connection = guarded.dataSource().getConnection()) {
            fourInsertsThenCommit(connection,
                    session -> BeforeCommit.arm(() -> proxy.cutOpenLinksAtNext(Direction.CLIENT_TO_SERVER)));
            assertThat(outcomes(guarded, "replayed")).isEqualTo(1);
        }
        assertCommittedOnce(db);
    }

    @ParameterizedTest(name = "TLS {0}")
    @ValueSource(booleans = {false, true})
    void aCommitWhoseAnswerIsLostAfterTheServerCommittedReturnsNormally(boolean tls, EmbeddedMariaDb db)
            throws Exception {
        try (FaultProxy proxy = FaultProxy.start(db.host(), db.port());
                Pools.Guarded guarded = guardThrough(proxy, db, tls);
                Connection connection = guarded.dataSource().getConnection()) {
            fourInsertsThenCommit(connection,
                    session -> BeforeCommit.arm(() -> proxy.cutOpenLinksAtNext(Direction.SERVER_TO_CLIENT)));
            assertThat(outcomes(guarded, "committed")).isEqualTo(1);
            assertThat(outcomes(guarded, "replayed")).isZero();
        }
        assertCommittedOnce(db);
    }

    /**
     * A partition: the client's side of the link is gone as the COMMIT is to be sent, the server's side lives on
     * with the open transaction and its locks, the marker's row among them. The old session is fenced (killed)
     * before the marker is trusted, and the transaction runs again.
     */
    @ParameterizedTest(name = "TLS {0}")
    @ValueSource(booleans = {false, true})
    void aPartitionThatKeepsTheOldSessionAliveIsFencedThenReplayed(boolean tls, EmbeddedMariaDb db) throws Exception {
        long[] old = new long[1];
        try (FaultProxy proxy = FaultProxy.start(db.host(), db.port());
                Pools.Guarded guarded = guardThrough(proxy, db, tls);
                Connection connection = guarded.dataSource().getConnection()) {
            fourInsertsThenCommit(connection, session -> {
                old[0] = session;
                BeforeCommit.arm(proxy::dropClientSides);
            });
            assertThat(outcomes(guarded, "replayed")).isEqualTo(1);
            assertThat(number(db, "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID = " + old[0]))
                    .isZero();
        }
        assertCommittedOnce(db);
    }

    @Test
    void aTransactionThatOnlyReadWritesNoMarker(EmbeddedMariaDb db) throws Exception {
        try (Pools.Guarded guarded = guard(db, db.jdbcUrl());
                Connection connection = guarded.dataSource().getConnection()) {
            connection.setAutoCommit(false);
            number(connection, "SELECT COUNT(*) FROM outcome_rows");
            connection.commit();
            fourInsertsThenCommit(connection, session -> { });
            long markers = number(db, "SELECT COUNT(*) FROM test.linkguard_commits");
            connection.setAutoCommit(false);
            number(connection, "SELECT COUNT(*) FROM outcome_rows");
            connection.commit();
            assertThat(number(db, "SELECT COUNT(*) FROM test.linkguard_commits")).isEqualTo(markers);
        }
    }

    @Test
    void offALostCommitStaysOutcomeUnknown(EmbeddedMariaDb db) throws Exception {
        try (FaultProxy proxy = FaultProxy.start(db.host(), db.port());
                Pools.Guarded guarded = Pools.guard(Pools.lazyHikari(db, EmbeddedMariaDb.jdbcUrl(proxy.host(), proxy.port())
                        + INTERCEPTED), builder -> builder.maxAttempts(3).commitOutcome(false));
                Connection connection = guarded.dataSource().getConnection()) {
            assertThatThrownBy(() -> fourInsertsThenCommit(connection,
                    session -> BeforeCommit.arm(() -> proxy.cutOpenLinksAtNext(Direction.SERVER_TO_CLIENT))))
                    .isInstanceOf(SQLException.class)
                    .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("08007");
        }
    }

    /** Without the privilege to create the table: a preflight finding with the DDL, and 08007 as before. */
    @Test
    void aUserWhoMayNotCreateTheTableGetsAFindingAndOutcomeUnknown(EmbeddedMariaDb db) throws Exception {
        // a schema of its own: MariaDB lets every user create tables in `test`
        db.execute("CREATE DATABASE IF NOT EXISTS lg_denied",
                "CREATE TABLE IF NOT EXISTS lg_denied.outcome_rows (id INT PRIMARY KEY, v INT NOT NULL)",
                "DELETE FROM lg_denied.outcome_rows",
                "CREATE USER IF NOT EXISTS 'lg_nocreate'@'%' IDENTIFIED BY 'nocreate'",
                "GRANT SELECT, INSERT, UPDATE, DELETE ON lg_denied.* TO 'lg_nocreate'@'%'");
        com.zaxxer.hikari.HikariDataSource pool = new com.zaxxer.hikari.HikariDataSource();
        pool.setJdbcUrl(db.jdbcUrl().replace("/test?", "/lg_denied?"));
        pool.setUsername("lg_nocreate");
        pool.setPassword("nocreate");
        pool.setMaximumPoolSize(2);
        pool.setMinimumIdle(0);
        pool.setInitializationFailTimeout(-1);
        try (Pools.Guarded guarded = Pools.guard(pool,
                builder -> builder.maxAttempts(3).commitOutcomeTable("linkguard_commits_denied"))) {
            assertThat(guarded.dataSource().preflight()).anySatisfy(finding -> {
                assertThat(finding.id()).isEqualTo("commit-outcome-unavailable");
                assertThat(finding.toString()).contains("lg_denied.linkguard_commits_denied is missing")
                        .contains("CREATE TABLE IF NOT EXISTS `lg_denied`.`linkguard_commits_denied`");
            });
            try (Connection connection = guarded.dataSource().getConnection()) {
                assertThatThrownBy(() -> fourInsertsThenCommit(connection, session -> db.execute("KILL CONNECTION "
                        + session))).isInstanceOf(SQLException.class)
                        .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("08007");
            }
        } finally {
            pool.close();
        }
        assertThat(number(db, "SELECT COUNT(*) FROM lg_denied.outcome_rows")).isZero();
    }

    @Test
    void aTableNameThatIsNotPlainIsRefused() {
        assertThatThrownBy(() -> LinkGuardDataSource.builder(new com.mysql.cj.jdbc.MysqlDataSource())
                .commitOutcomeTable("x; DROP TABLE y"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("plain name");
    }
}
