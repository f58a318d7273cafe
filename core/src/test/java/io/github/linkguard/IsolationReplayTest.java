package io.github.linkguard;

import static io.github.linkguard.Pools.execute;
import static io.github.linkguard.Pools.number;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.linkguard.testkit.EmbeddedMariaDb;
import io.github.linkguard.testkit.MariaDbExtension;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransactionRollbackException;
import java.sql.Statement;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The replay proves what the transaction's isolation level promises, no more (issue 19): under READ COMMITTED
 * and READ UNCOMMITTED the reads before the first write are not run again, so a read-only transaction goes on
 * after another session changed what it read; from the first write or locking read on, and under REPEATABLE
 * READ and SERIALIZABLE for everything, what the application saw is compared, and other data is 40001. Each
 * case has another session change the data between the loss and the replay. TLS off and on.
 */
@ExtendWith(MariaDbExtension.class)
@Timeout(60)
class IsolationReplayTest {

    @BeforeAll
    static void createTable(EmbeddedMariaDb db) {
        db.execute("CREATE TABLE IF NOT EXISTS iso_rows (id INT PRIMARY KEY, v INT NOT NULL) ENGINE=InnoDB");
    }

    @BeforeEach
    void fill(EmbeddedMariaDb db) {
        db.execute("DELETE FROM iso_rows", "INSERT INTO iso_rows VALUES (1, 10), (2, 20)");
    }

    private static Pools.Guarded guard(EmbeddedMariaDb db, boolean tls) {
        return Pools.guard(Pools.lazyHikari(db, Pools.url(db, tls)), builder -> builder.maxAttempts(3));
    }

    /** The id of the connection's session, read in auto-commit mode so that no transaction sees it. */
    private static long sessionOf(Connection connection) throws SQLException {
        return number(connection, "SELECT CONNECTION_ID()");
    }

    /** Another session commits a change between the loss and the replay. */
    private static void meanwhile(EmbeddedMariaDb db, String sql) throws SQLException {
        try (Connection other = db.adminConnection()) {
            execute(other, sql);
        }
    }

    private static int level(String name) {
        switch (name) {
            case "READ_UNCOMMITTED":
                return Connection.TRANSACTION_READ_UNCOMMITTED;
            case "READ_COMMITTED":
                return Connection.TRANSACTION_READ_COMMITTED;
            case "REPEATABLE_READ":
                return Connection.TRANSACTION_REPEATABLE_READ;
            default:
                return Connection.TRANSACTION_SERIALIZABLE;
        }
    }

    @ParameterizedTest(name = "{0}, TLS {1}: goes on {2}")
    @CsvSource({"READ_COMMITTED, false, true", "READ_COMMITTED, true, true", "READ_UNCOMMITTED, false, true",
        "REPEATABLE_READ, false, false", "REPEATABLE_READ, true, false", "SERIALIZABLE, false, false"})
    void aReadOnlyTransactionGoesOnWhereItsIsolationLetsEachStatementSeeNewerData(String isolation, boolean tls,
            boolean goesOn, EmbeddedMariaDb db) throws Exception {
        try (Pools.Guarded guarded = guard(db, tls); Connection connection = guarded.dataSource().getConnection()) {
            connection.setTransactionIsolation(level(isolation)); // as Spring does for @Transactional(isolation)
            long session = sessionOf(connection);
            connection.setReadOnly(true); // in Spring's order
            connection.setAutoCommit(false);
            assertThat(number(connection, "SELECT SUM(v) FROM iso_rows")).isEqualTo(30); // the list
            db.execute("KILL CONNECTION " + session);
            meanwhile(db, "UPDATE test.iso_rows SET v = 11 WHERE id = 1"); // another client changes the list

            if (goesOn) {
                // the next statement sees the newer data, as it could have without the loss
                assertThat(number(connection, "SELECT v FROM iso_rows WHERE id = 1")).isEqualTo(11);
                connection.commit();
                assertThat(guarded.registry().find("linkguard.retries").tag("outcome", "recovered").counters())
                        .isNotEmpty();
            } else {
                // a snapshot that showed 30 cannot show 11: the application would see two snapshots
                assertThatThrownBy(() -> number(connection, "SELECT v FROM iso_rows WHERE id = 1"))
                        .isInstanceOfSatisfying(SQLTransactionRollbackException.class,
                                e -> assertThat(e.getSQLState()).isEqualTo("40001"))
                        .hasMessageContaining("statement 1 of 1 read other values in the replay")
                        .satisfies(e -> assertThat(Diagnosis.of(e).map(Diagnosis::dataSource)) // why, for the layer above
                                .contains(guarded.dataSource().name()));
                connection.rollback();
            }
            connection.setReadOnly(false);
        }
    }

    @ParameterizedTest(name = "TLS {0}")
    @ValueSource(booleans = {false, true})
    void underReadCommittedReadsBeforeTheFirstWriteAreNotComparedAndTheWritesAreExactlyOnce(boolean tls,
            EmbeddedMariaDb db) throws Exception {
        try (Pools.Guarded guarded = guard(db, tls); Connection connection = guarded.dataSource().getConnection()) {
            connection.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
            long session = sessionOf(connection);
            connection.setAutoCommit(false);
            assertThat(number(connection, "SELECT v FROM iso_rows WHERE id = 2")).isEqualTo(20);
            execute(connection, "UPDATE iso_rows SET v = v + 1 WHERE id = 1");
            assertThat(number(connection, "SELECT v FROM iso_rows WHERE id = 1")).isEqualTo(11); // its own write
            db.execute("KILL CONNECTION " + session);
            meanwhile(db, "UPDATE test.iso_rows SET v = 25 WHERE id = 2"); // what it read before writing

            execute(connection, "INSERT INTO iso_rows VALUES (3, 30)"); // replayed from the write on, then this
            connection.commit();

            assertThat(number(db, "SELECT v FROM test.iso_rows WHERE id = 1")).isEqualTo(11); // once, not twice
            assertThat(number(db, "SELECT v FROM test.iso_rows WHERE id = 2")).isEqualTo(25);
            assertThat(number(db, "SELECT COUNT(*) FROM test.iso_rows")).isEqualTo(3);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "the row it wrote changed, UPDATE test.iso_rows SET v = 100 WHERE id = 1, statement 2 of 3 read other values",
        "the row it wrote is gone, DELETE FROM test.iso_rows WHERE id = 1, changed 0 rows in the replay",
    })
    void underReadCommittedWhatItsWritesMadeItSeeIsStillCompared(String name, String change, String message,
            EmbeddedMariaDb db) throws Exception {
        try (Pools.Guarded guarded = guard(db, false); Connection connection = guarded.dataSource().getConnection()) {
            connection.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
            long session = sessionOf(connection);
            connection.setAutoCommit(false);
            execute(connection, "UPDATE iso_rows SET v = v + 1 WHERE id = 1");
            assertThat(number(connection, "SELECT v FROM iso_rows WHERE id = 1")).isEqualTo(11);
            assertThat(number(connection, "SELECT v FROM iso_rows WHERE id = 2")).isEqualTo(20);
            db.execute("KILL CONNECTION " + session);
            meanwhile(db, change);

            assertThatThrownBy(() -> execute(connection, "INSERT INTO iso_rows VALUES (3, 30)"))
                    .isInstanceOfSatisfying(SQLTransactionRollbackException.class,
                            e -> assertThat(e.getSQLState()).isEqualTo("40001"))
                    .hasMessageContaining(message);
            connection.rollback();
            assertThat(number(db, "SELECT COUNT(*) FROM test.iso_rows WHERE id = 3")).isZero(); // nothing committed
        }
    }

    @Test
    void underReadCommittedALockingReadIsComparedLikeAWrite(EmbeddedMariaDb db) throws Exception {
        try (Pools.Guarded guarded = guard(db, false); Connection connection = guarded.dataSource().getConnection()) {
            connection.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
            long session = sessionOf(connection);
            connection.setAutoCommit(false);
            assertThat(number(connection, "SELECT v FROM iso_rows WHERE id = 1 FOR UPDATE")).isEqualTo(10);
            db.execute("KILL CONNECTION " + session);
            meanwhile(db, "UPDATE test.iso_rows SET v = 12 WHERE id = 1");

            assertThatThrownBy(() -> execute(connection, "UPDATE iso_rows SET v = 11 WHERE id = 1"))
                    .isInstanceOfSatisfying(SQLTransactionRollbackException.class,
                            e -> assertThat(e.getSQLState()).isEqualTo("40001"))
                    .hasMessageContaining("statement 1 of 1 read other values");
            connection.rollback();
            assertThat(number(db, "SELECT v FROM test.iso_rows WHERE id = 1")).isEqualTo(12);
        }
    }

    @ParameterizedTest(name = "the change is in the rows read so far: {0}")
    @ValueSource(booleans = {false, true})
    void underReadCommittedAResultStillReadComesFromOneSnapshot(boolean readSoFar, EmbeddedMariaDb db)
            throws Exception {
        try (Pools.Guarded guarded = guard(db, false); Connection connection = guarded.dataSource().getConnection()) {
            connection.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
            long session = sessionOf(connection);
            connection.setAutoCommit(false);
            try (Statement query = connection.createStatement();
                    ResultSet rows = query.executeQuery("SELECT id, v FROM iso_rows ORDER BY id")) {
                assertThat(rows.next()).isTrue();
                assertThat(rows.getInt(2)).isEqualTo(10);
                db.execute("KILL CONNECTION " + session);
                meanwhile(db, "UPDATE test.iso_rows SET v = v + 5 WHERE id = " + (readSoFar ? 1 : 2));

                if (readSoFar) {
                    assertThatThrownBy(() -> number(connection, "SELECT COUNT(*) FROM iso_rows"))
                            .isInstanceOfSatisfying(SQLTransactionRollbackException.class,
                                    e -> assertThat(e.getSQLState()).isEqualTo("40001"))
                            .hasMessageContaining("statement 1 of 1 read other values");
                    connection.rollback();
                    return;
                }
                assertThat(number(connection, "SELECT COUNT(*) FROM iso_rows")).isEqualTo(2);
                assertThat(rows.next()).isTrue(); // the rest of the rows, from the replay's snapshot
                assertThat(rows.getInt("v")).isEqualTo(25);
                assertThat(rows.next()).isFalse();
            }
            connection.commit();
        }
    }

    @Test
    void aLevelSetForOneTransactionAloneIsNotReplayed(EmbeddedMariaDb db) throws Exception {
        try (Pools.Guarded guarded = guard(db, false); Connection connection = guarded.dataSource().getConnection()) {
            connection.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
            long session = sessionOf(connection);
            execute(connection, "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE"); // the next transaction only
            connection.setAutoCommit(false);
            assertThat(number(connection, "SELECT SUM(v) FROM iso_rows")).isEqualTo(30);
            db.execute("KILL CONNECTION " + session);
            meanwhile(db, "UPDATE test.iso_rows SET v = 11 WHERE id = 1");

            assertThatThrownBy(() -> number(connection, "SELECT v FROM iso_rows WHERE id = 1"))
                    .isInstanceOf(SQLException.class);
            assertThatThrownBy(() -> number(connection, "SELECT 1")).hasMessageContaining("rollback()")
                    .hasMessageContaining("not replayed: its isolation level was set for it alone");
            connection.rollback();
        }
    }

    @Test
    void aLevelChangedWhileTheTransactionWasOpenIsNotReplayed(EmbeddedMariaDb db) throws Exception {
        try (Pools.Guarded guarded = guard(db, false); Connection connection = guarded.dataSource().getConnection()) {
            long session = sessionOf(connection);
            connection.setAutoCommit(false);
            assertThat(number(connection, "SELECT SUM(v) FROM iso_rows")).isEqualTo(30); // REPEATABLE READ
            connection.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED); // for the next ones
            db.execute("KILL CONNECTION " + session);
            meanwhile(db, "UPDATE test.iso_rows SET v = 11 WHERE id = 1");

            assertThatThrownBy(() -> number(connection, "SELECT v FROM iso_rows WHERE id = 1"))
                    .isInstanceOf(SQLException.class);
            assertThatThrownBy(() -> number(connection, "SELECT 1"))
                    .hasMessageContaining("not replayed: its isolation level was set for it alone");
            connection.rollback();
        }
    }

    @Test
    void aSessionLevelSetWithSqlIsAskedOfTheServerAfterTheRestore(EmbeddedMariaDb db) throws Exception {
        try (Pools.Guarded guarded = guard(db, false); Connection connection = guarded.dataSource().getConnection()) {
            execute(connection, "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED");
            long session = sessionOf(connection);
            connection.setAutoCommit(false);
            assertThat(number(connection, "SELECT SUM(v) FROM iso_rows")).isEqualTo(30);
            db.execute("KILL CONNECTION " + session);
            meanwhile(db, "UPDATE test.iso_rows SET v = 11 WHERE id = 1");

            assertThat(number(connection, "SELECT SUM(v) FROM iso_rows")).isEqualTo(31);
            connection.commit();
        }
    }
}
