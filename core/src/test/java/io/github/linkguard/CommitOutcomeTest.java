package io.github.linkguard;

import static io.github.linkguard.Pools.execute;
import static io.github.linkguard.Pools.number;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.github.linkguard.internal.commit.CommitOutcomes;
import io.github.linkguard.testkit.EmbeddedMariaDb;
import io.github.linkguard.testkit.FaultProxy;
import io.github.linkguard.testkit.FaultProxy.Direction;
import io.github.linkguard.testkit.MariaDbExtension;
import io.micrometer.core.instrument.Counter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
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

    /** How a transaction ends: {@code commit()}, a SQL {@code COMMIT}, or a script's {@code START TRANSACTION ... COMMIT}. */
    enum Ending {
        /** Auto-commit off, {@code commit()}. */
        JDBC,
        /** Auto-commit off, SQL {@code COMMIT}. */
        SQL,
        /** Auto-commit on, as a SQL script runs it: {@code START TRANSACTION}, the statements, {@code COMMIT}. */
        SCRIPT,
        /** Auto-commit off, {@code COMMIT} run as a prepared statement (as some frameworks send every text). */
        PREPARED
    }

    /** Four inserts in a transaction, then {@code beforeCommit}, then the transaction ends as {@code ending} says. */
    private static void fourInsertsThenCommit(Connection connection, Ending ending, Consumer<Long> beforeCommit)
            throws SQLException {
        fourInsertsThen(connection, ending, beforeCommit);
        if (ending == Ending.JDBC) {
            connection.commit();
            return;
        }
        if (ending == Ending.PREPARED) {
            try (PreparedStatement commit = connection.prepareStatement("COMMIT")) {
                assertThat(commit.execute()).isFalse();
                assertThat(commit.getUpdateCount()).isZero();
            }
            return;
        }
        try (Statement commit = connection.createStatement()) {
            assertThat(commit.execute("COMMIT")).isFalse();
            assertThat(commit.getUpdateCount()).isZero();
        }
    }

    private static void fourInsertsThenCommit(Connection connection, Consumer<Long> beforeCommit) throws SQLException {
        fourInsertsThenCommit(connection, Ending.JDBC, beforeCommit);
    }

    private static void fourInsertsThen(Connection connection, Ending ending, Consumer<Long> beforeCommit)
            throws SQLException {
        long session = number(connection, "SELECT CONNECTION_ID()");
        begin(connection, ending);
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO outcome_rows VALUES (?, ?)")) {
            for (int id = 1; id <= 4; id++) {
                insert.setInt(1, id);
                insert.setInt(2, id * 10);
                assertThat(insert.executeUpdate()).isEqualTo(1);
            }
        }
        beforeCommit.accept(session);
    }

    private static double outcomes(Pools.Guarded guarded, String outcome) {
        Counter counter = guarded.registry().find("linkguard.commit.outcomes").tag("outcome", outcome).counter();
        return counter == null ? 0 : counter.count();
    }

    private static void assertCommittedOnce(EmbeddedMariaDb db) throws SQLException {
        assertThat(number(db, "SELECT COUNT(*) FROM test.outcome_rows")).isEqualTo(4);
        assertThat(number(db, "SELECT SUM(v) FROM test.outcome_rows")).isEqualTo(100);
    }

    @ParameterizedTest(name = "TLS {0}, {1}")
    @CsvSource({"false,JDBC", "true,JDBC", "false,SQL", "true,SQL", "false,SCRIPT", "true,SCRIPT", "false,PREPARED",
            "true,PREPARED"})
    void aSessionKilledBeforeCommitIsReplayedAndCommitted(boolean tls, Ending ending, EmbeddedMariaDb db)
            throws Exception {
        try (Pools.Guarded guarded = guard(db, Pools.url(db, tls));
                Connection connection = guarded.dataSource().getConnection()) {
            fourInsertsThenCommit(connection, ending, session -> db.execute("KILL CONNECTION " + session));
            assertThat(connection.getAutoCommit()).isEqualTo(ending == Ending.SCRIPT);
            assertThat(outcomes(guarded, "replayed")).isEqualTo(1);
            execute(connection, "UPDATE outcome_rows SET v = v WHERE id = 1"); // the connection goes on
            if (ending != Ending.SCRIPT) {
                connection.commit();
            }
        }
        assertCommittedOnce(db);
    }

    @ParameterizedTest(name = "TLS {0}, {1}")
    @CsvSource({"false,JDBC", "true,JDBC", "false,SQL", "true,SQL", "false,SCRIPT", "true,SCRIPT", "false,PREPARED",
            "true,PREPARED"})
    void aCommitLostOnItsWayIsReplayedAndCommitted(boolean tls, Ending ending, EmbeddedMariaDb db)
            throws Exception {
        try (FaultProxy proxy = FaultProxy.start(db.host(), db.port());
                Pools.Guarded guarded = guardThrough(proxy, db, tls);
                Connection connection = guarded.dataSource().getConnection()) {
            fourInsertsThenCommit(connection, ending,
                    session -> BeforeCommit.arm(() -> proxy.cutOpenLinksAtNext(Direction.CLIENT_TO_SERVER)));
            assertThat(outcomes(guarded, "replayed")).isEqualTo(1);
        }
        assertCommittedOnce(db);
    }

    @ParameterizedTest(name = "TLS {0}, {1}")
    @CsvSource({"false,JDBC", "true,JDBC", "false,SQL", "true,SQL", "false,SCRIPT", "true,SCRIPT", "false,PREPARED",
            "true,PREPARED"})
    void aCommitWhoseAnswerIsLostAfterTheServerCommittedReturnsNormally(boolean tls, Ending ending,
            EmbeddedMariaDb db) throws Exception {
        try (FaultProxy proxy = FaultProxy.start(db.host(), db.port());
                Pools.Guarded guarded = guardThrough(proxy, db, tls);
                Connection connection = guarded.dataSource().getConnection()) {
            fourInsertsThenCommit(connection, ending,
                    session -> BeforeCommit.arm(() -> proxy.cutOpenLinksAtNext(Direction.SERVER_TO_CLIENT)));
            assertThat(outcomes(guarded, "committed")).isEqualTo(1);
            assertThat(outcomes(guarded, "replayed")).isZero();
        }
        assertCommittedOnce(db);
    }

    /**
     * The COMMIT lost on its way, then fresh links lost too as the resolution asks the server whether it is a Galera
     * node: once, and three times in a row (more than {@code maxAttempts}, 3, allows). Each is just another attempt:
     * asking is safe to repeat and giving up leaves an unknown outcome, so fresh links are tried until the retry
     * budget's time runs out. Before, the first loss was swallowed as "not Galera" and the pool's proxy answered the
     * marker's read with "Connection is closed" (08007: "no fresh link could learn its outcome", seen under repeated
     * kills in the JPA example); then the third loss in a row ended the COMMIT in 08007 (seen under kills every
     * 150 ms).
     */
    @ParameterizedTest(name = "TLS {0}, {1} fresh links lost")
    @CsvSource({"false,1", "true,1", "false,3", "true,3"})
    void freshLinksLostAsTheyResolveALostCommitAreJustMoreAttempts(boolean tls, int lost, EmbeddedMariaDb db)
            throws Exception {
        try (FaultProxy proxy = FaultProxy.start(db.host(), db.port());
                Pools.Guarded guarded = guardThrough(proxy, db, tls);
                Connection connection = guarded.dataSource().getConnection()) {
            fourInsertsThenCommit(connection, session -> BeforeCommit.arm(() -> {
                proxy.cutOpenLinksAtNext(Direction.CLIENT_TO_SERVER);
                cutAsTheResolutionAsks(proxy, lost);
            }));
            assertThat(outcomes(guarded, "replayed")).isEqualTo(1);
            assertThat(outcomes(guarded, "unknown")).isZero();
        }
        assertCommittedOnce(db);
    }

    /** Cuts the fresh link as a lost COMMIT's resolution asks the server whether it is a Galera node, {@code times} times. */
    private static void cutAsTheResolutionAsks(FaultProxy proxy, int times) {
        if (times > 0) {
            BeforeCommit.armAt(sql -> sql.contains("@@wsrep_on"), () -> {
                proxy.cutOpenLinksAtNext(Direction.CLIENT_TO_SERVER);
                cutAsTheResolutionAsks(proxy, times - 1);
            });
        }
    }

    /**
     * A partition: the client's side of the link is gone as the COMMIT is to be sent, the server's side lives on
     * with the open transaction and its locks, the marker's row among them. The old session is fenced (killed)
     * before the marker is trusted, and the transaction runs again.
     */
    @ParameterizedTest(name = "TLS {0}, {1}")
    @CsvSource({"false,JDBC", "true,JDBC", "false,SQL", "true,SQL", "false,SCRIPT", "true,SCRIPT", "false,PREPARED",
            "true,PREPARED"})
    void aPartitionThatKeepsTheOldSessionAliveIsFencedThenReplayed(boolean tls, Ending ending, EmbeddedMariaDb db)
            throws Exception {
        long[] old = new long[1];
        try (FaultProxy proxy = FaultProxy.start(db.host(), db.port());
                Pools.Guarded guarded = guardThrough(proxy, db, tls);
                Connection connection = guarded.dataSource().getConnection()) {
            fourInsertsThenCommit(connection, ending, session -> {
                old[0] = session;
                BeforeCommit.arm(proxy::dropClientSides);
            });
            assertThat(outcomes(guarded, "replayed")).isEqualTo(1);
            assertThat(number(db, "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID = " + old[0]))
                    .isZero();
        }
        assertCommittedOnce(db);
    }

    /**
     * A transfer (-10 on row 1, a read of row 9, +10 on row 2) whose link is lost (its session killed) in the
     * middle or just before its COMMIT, after row 9 changed: its replay reads other data and fails with 40001,
     * and nothing of it stays open on the fresh link, whatever the application does next (a script in
     * auto-commit mode goes on with its next START TRANSACTION, which would commit what a replay left open).
     */
    @ParameterizedTest(name = "TLS {0}, {1}, lost at COMMIT {2}")
    @CsvSource({"false,JDBC,false", "false,JDBC,true", "false,SQL,false", "false,SQL,true", "false,SCRIPT,false",
            "false,SCRIPT,true", "true,SCRIPT,false", "true,SCRIPT,true", "false,PREPARED,false", "false,PREPARED,true"})
    void aReplayThatSeesOtherDataLeavesNothingOfTheTransaction(boolean tls, Ending ending, boolean atCommit,
            EmbeddedMariaDb db) throws Exception {
        db.execute("INSERT INTO outcome_rows VALUES (1, 100), (2, 100), (9, 0)");
        try (Pools.Guarded guarded = guard(db, Pools.url(db, tls) + INTERCEPTED);
                Connection connection = guarded.dataSource().getConnection()) {
            long session = number(connection, "SELECT CONNECTION_ID()");
            Runnable changeThenKill = () -> db.execute("UPDATE outcome_rows SET v = 1 WHERE id = 9",
                    "KILL CONNECTION " + session);
            begin(connection, ending);
            execute(connection, "UPDATE outcome_rows SET v = v - 10 WHERE id = 1");
            assertThat(number(connection, "SELECT v FROM outcome_rows WHERE id = 9")).isZero();
            if (!atCommit) {
                changeThenKill.run();
            }
            assertThatThrownBy(() -> {
                execute(connection, "UPDATE outcome_rows SET v = v + 10 WHERE id = 2");
                BeforeCommit.arm(changeThenKill);
                end(connection, ending);
            }).isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("40001"))
                    .hasMessageContaining("did not see the same data");
            if (ending != Ending.SCRIPT) {
                connection.rollback(); // what an application does after a failure; a script goes on
            }
            begin(connection, ending); // the application goes on: its next transaction
            execute(connection, "UPDATE outcome_rows SET v = v WHERE id = 9");
            end(connection, ending);
        }
        assertThat(number(db, "SELECT v FROM test.outcome_rows WHERE id = 1")).as("row 1").isEqualTo(100);
        assertThat(number(db, "SELECT v FROM test.outcome_rows WHERE id = 2")).as("row 2").isEqualTo(100);
    }

    /**
     * The marker cannot be written in time (its rows locked by another session, the connection's lock wait
     * bounded at 1 s): the COMMIT fails with the lock wait (1205) and nothing of the transaction is committed,
     * then or by the application's next transaction; outcomes stay on (the table is fine): the next lost COMMIT
     * is resolved.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"JDBC", "SQL", "SCRIPT", "PREPARED"})
    void aMarkerThatCannotBeWrittenFailsTheCommitAndLeavesNothing(Ending ending, EmbeddedMariaDb db) throws Exception {
        try (Pools.Guarded guarded = guard(db, db.jdbcUrl());
                Connection connection = guarded.dataSource().getConnection()) {
            fourInsertsThenCommit(connection, ending, session -> { }); // the table is made, this row is there
            execute(connection, "DELETE FROM outcome_rows");
            if (ending != Ending.SCRIPT) {
                connection.commit();
            }
            execute(connection, "SET SESSION innodb_lock_wait_timeout = 1");
            try (Connection admin = db.adminConnection()) {
                admin.setAutoCommit(false);
                number(admin, "SELECT COUNT(*) FROM test.linkguard_commits FOR UPDATE");
                assertThatThrownBy(() -> fourInsertsThenCommit(connection, ending, session -> { }))
                        .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getErrorCode()).isEqualTo(1205));
                admin.rollback();
            }
            if (ending != Ending.SCRIPT) {
                connection.rollback();
            }
            begin(connection, ending); // the application's next transaction commits nothing of the last one
            execute(connection, "UPDATE outcome_rows SET v = v WHERE id = 1");
            end(connection, ending);
            assertThat(number(db, "SELECT COUNT(*) FROM test.outcome_rows")).isZero();
            fourInsertsThenCommit(connection, ending, session -> db.execute("KILL CONNECTION " + session));
            assertThat(outcomes(guarded, "replayed")).isEqualTo(1);
        }
        assertCommittedOnce(db);
    }

    private static void begin(Connection connection, Ending ending) throws SQLException {
        if (ending == Ending.SCRIPT) {
            execute(connection, "START TRANSACTION");
        } else {
            connection.setAutoCommit(false);
        }
    }

    private static void end(Connection connection, Ending ending) throws SQLException {
        if (ending == Ending.JDBC) {
            connection.commit();
        } else if (ending == Ending.PREPARED) {
            try (PreparedStatement commit = connection.prepareStatement("COMMIT")) {
                commit.execute();
            }
        } else {
            execute(connection, "COMMIT");
        }
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

    /** The marker and the COMMIT go in one round trip: the statements the client sent to commit are one. */
    @Test
    void aTransactionThatWroteCommitsInOneRoundTrip(EmbeddedMariaDb db) throws Exception {
        try (Pools.Guarded guarded = guard(db, db.jdbcUrl());
                Connection connection = guarded.dataSource().getConnection()) {
            fourInsertsThenCommit(connection, session -> { }); // the table and its procedure are made
            assertThat(statementsToCommitOneInsert(connection, 100)).isEqualTo(1);
            assertThat(number(db, "SELECT transaction_token <> 0 FROM test.linkguard_commits LIMIT 1")).isEqualTo(1);
            connection.setAutoCommit(false);
            assertThat(number(connection, "SELECT COUNT(*) FROM outcome_rows")).isEqualTo(5); // committed
            connection.rollback();
        }
    }

    /**
     * Connections new to the table (a pool filling up, links replaced after a loss) write their first markers at
     * the same moment, at REPEATABLE READ, all in one gap of the table's key: none fails (a marker that looked for
     * its row before inserting it held the gap, and two such deadlocked). Rounds of eight at once on an empty
     * table, twenty rounds.
     */
    @Test
    void firstMarkersOfManyConnectionsAtOnceNeverDeadlock(EmbeddedMariaDb db) throws Exception {
        int connections = 8;
        ExecutorService threads = Executors.newFixedThreadPool(connections);
        try {
            for (int round = 0; round < 20; round++) {
                db.execute(CommitOutcomes.ddl("test.linkguard_commits"), "DELETE FROM test.linkguard_commits");
                HikariDataSource pool = Pools.lazyHikari(db, db.jdbcUrl());
                pool.setMaximumPoolSize(connections);
                // filled to eight by the pool itself: eight threads that ask an empty HikariCP pool at once can
                // leave one waiting until it times out (total=7, waiting=0: its request made no new connection)
                pool.setMinimumIdle(connections);
                try (Pools.Guarded guarded = Pools.guard(pool, builder -> builder.maxAttempts(3))) {
                    CyclicBarrier together = new CyclicBarrier(connections);
                    List<Future<?>> commits = new ArrayList<>();
                    for (int i = 0; i < connections; i++) {
                        int id = round * connections + i;
                        commits.add(threads.submit(() -> {
                            long start = System.nanoTime();
                            try (Connection connection = guarded.dataSource().getConnection()) {
                                long connected = System.nanoTime();
                                connection.setAutoCommit(false);
                                execute(connection, "INSERT INTO outcome_rows VALUES (" + id + ", 1)");
                                long inserted = System.nanoTime();
                                try {
                                    together.await(10, TimeUnit.SECONDS);
                                } catch (Exception e) {
                                    throw new IllegalStateException("waited for the others after a connection in "
                                            + (connected - start) / 1_000_000 + " ms and an insert in "
                                            + (inserted - connected) / 1_000_000 + " ms", e);
                                }
                                connection.commit();
                            } catch (Exception e) {
                                together.reset(); // the others stop waiting
                                throw e;
                            }
                            return null;
                        }));
                    }
                    List<String> failures = new ArrayList<>();
                    for (Future<?> commit : commits) {
                        try {
                            commit.get();
                        } catch (ExecutionException e) {
                            failures.add(e.getCause().toString());
                        }
                    }
                    assertThat(failures).as("round " + round).isEmpty(); // a deadlock at a COMMIT would be here
                }
            }
        } finally {
            threads.shutdownNow();
        }
        assertThat(number(db, "SELECT COUNT(*) FROM test.outcome_rows")).isEqualTo(20 * connections);
    }

    /**
     * The first transaction to commit makes the table (and its procedure), after the transaction's snapshot was
     * taken: such a transaction may not read the table (1412), yet commits with its marker.
     */
    @Test
    void aTransactionOlderThanTheTableCommitsWithItsMarker(EmbeddedMariaDb db) throws Exception {
        String table = "linkguard_commits_" + System.nanoTime();
        try (Pools.Guarded guarded = Pools.guard(Pools.lazyHikari(db, db.jdbcUrl()),
                        builder -> builder.maxAttempts(3).commitOutcomeTable(table));
                Connection connection = guarded.dataSource().getConnection()) {
            connection.setAutoCommit(false);
            assertThat(number(connection, "SELECT COUNT(*) FROM outcome_rows")).isZero(); // the snapshot is taken
            execute(connection, "INSERT INTO outcome_rows VALUES (5, 50)");
            connection.commit();
            assertThat(number(db, "SELECT COUNT(*) FROM test." + table)).isEqualTo(1); // its marker
            fourInsertsThenCommit(connection, session -> { }); // the next ones as usual
        } finally {
            db.execute("DROP PROCEDURE IF EXISTS " + table + "_commit", "DROP TABLE IF EXISTS " + table);
        }
        assertThat(number(db, "SELECT COUNT(*) FROM test.outcome_rows")).isEqualTo(5);
    }

    /**
     * A transaction that cannot be replayed (a stream was bound), its session killed before commit(): the
     * server confirms it did not commit, and as it wrote only InnoDB tables (the server's reports say so):
     * 40000, nothing of it committed, with the reason it was not replayed.
     */
    @Test
    void aLostCommitThatCannotBeReplayedIsNotCommittedWithWhy(EmbeddedMariaDb db) throws Exception {
        try (Pools.Guarded guarded = guard(db, db.jdbcUrl());
                Connection connection = guarded.dataSource().getConnection()) {
            assertThatThrownBy(() -> fourInsertsThenCommit(connection, session -> {
                try (PreparedStatement streamed = connection.prepareStatement("UPDATE outcome_rows SET v = ? WHERE id = 1")) {
                    streamed.setCharacterStream(1, new java.io.StringReader("11"));
                    streamed.executeUpdate();
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
                db.execute("KILL CONNECTION " + session);
            })).isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("40000"))
                    .hasMessageContaining("did not commit (it was rolled back), and it was not replayed")
                    .hasMessageContaining("stream");
            connection.rollback();
        }
        assertThat(number(db, "SELECT COUNT(*) FROM test.outcome_rows")).isZero();
    }

    /**
     * A transaction that also wrote a MyISAM table, its session killed before commit(): it did not commit, but
     * its MyISAM row stays, so it is neither replayed nor said to be rolled back ("run it again" would write the
     * row twice): 08007, saying so.
     */
    @Test
    void aLostCommitOfATransactionThatWroteANonTransactionalTableSaysItsWritesThereStay(EmbeddedMariaDb db)
            throws Exception {
        db.execute("CREATE TABLE IF NOT EXISTS outcome_myisam (id INT PRIMARY KEY) ENGINE=MyISAM",
                "DELETE FROM outcome_myisam");
        try (Pools.Guarded guarded = guard(db, db.jdbcUrl());
                Connection connection = guarded.dataSource().getConnection()) {
            assertThatThrownBy(() -> fourInsertsThenCommit(connection, session -> {
                try {
                    execute(connection, "INSERT INTO outcome_myisam VALUES (1)");
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
                db.execute("KILL CONNECTION " + session);
            })).isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("08007"))
                    .hasMessageContaining("did not commit, but it may have written a table of an engine without "
                            + "transactions");
            connection.rollback();
        } finally {
            assertThat(number(db, "SELECT COUNT(*) FROM test.outcome_myisam")).isEqualTo(1);
            db.execute("DROP TABLE outcome_myisam"); // the other tests' server has no such table
        }
        assertThat(number(db, "SELECT COUNT(*) FROM test.outcome_rows")).isZero();
    }

    /** How many statements {@code connection} sent to commit a transaction of one insert (the server's count). */
    private static long statementsToCommitOneInsert(Connection connection, int id) throws SQLException {
        connection.setAutoCommit(false);
        execute(connection, "INSERT INTO outcome_rows VALUES (" + id + ", 0)");
        long before = number(connection, "SELECT VARIABLE_VALUE FROM information_schema.SESSION_STATUS "
                + "WHERE VARIABLE_NAME = 'QUESTIONS'");
        connection.commit();
        long after = number(connection, "SELECT VARIABLE_VALUE FROM information_schema.SESSION_STATUS "
                + "WHERE VARIABLE_NAME = 'QUESTIONS'");
        connection.commit();
        return after - before - 1; // the count's own query counts
    }

    /**
     * A user who may write the table but not make or run the procedure: the marker goes in a round trip of its
     * own, and a lost COMMIT is resolved all the same.
     */
    @Test
    void withoutTheProcedureTheMarkerGoesApartAndALostCommitIsResolved(EmbeddedMariaDb db) throws Exception {
        db.execute("CREATE DATABASE IF NOT EXISTS lg_noproc",
                "CREATE TABLE IF NOT EXISTS lg_noproc.outcome_rows (id INT PRIMARY KEY, v INT NOT NULL)",
                "DELETE FROM lg_noproc.outcome_rows",
                CommitOutcomes.ddl("lg_noproc.linkguard_commits"),
                "CREATE USER IF NOT EXISTS 'lg_noproc'@'%' IDENTIFIED BY 'noproc'",
                "GRANT SELECT, INSERT, UPDATE, DELETE ON lg_noproc.* TO 'lg_noproc'@'%'");
        try (FaultProxy proxy = FaultProxy.start(db.host(), db.port());
                HikariDataSource pool = userPool(EmbeddedMariaDb.jdbcUrl(proxy.host(), proxy.port())
                        .replace("/test?", "/lg_noproc?") + INTERCEPTED, "lg_noproc", "noproc");
                Pools.Guarded guarded = Pools.guard(pool, builder -> builder.maxAttempts(3));
                Connection connection = guarded.dataSource().getConnection()) {
            fourInsertsThenCommit(connection,
                    session -> BeforeCommit.arm(() -> proxy.cutOpenLinksAtNext(Direction.SERVER_TO_CLIENT)));
            assertThat(outcomes(guarded, "committed")).isEqualTo(1);
            statementsToCommitOneInsert(connection, 100); // the fresh link's first marker inserts its row
            assertThat(statementsToCommitOneInsert(connection, 101)).isEqualTo(2);
        }
        assertThat(number(db, "SELECT COUNT(*) FROM lg_noproc.outcome_rows")).isEqualTo(6);
        assertThat(number(db, "SELECT SUM(v) FROM lg_noproc.outcome_rows")).isEqualTo(100);
    }

    /** A pool of {@code user}'s, not started. */
    private static HikariDataSource userPool(String url, String user, String password) {
        HikariDataSource pool = new HikariDataSource();
        pool.setJdbcUrl(url);
        pool.setUsername(user);
        pool.setPassword(password);
        pool.setMaximumPoolSize(2);
        pool.setMinimumIdle(0);
        pool.setInitializationFailTimeout(-1);
        return pool;
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
        HikariDataSource pool = userPool(db.jdbcUrl().replace("/test?", "/lg_denied?"),
                "lg_nocreate", "nocreate");
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
