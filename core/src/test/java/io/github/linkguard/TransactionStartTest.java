package io.github.linkguard;

import static io.github.linkguard.Pools.execute;
import static io.github.linkguard.Pools.number;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.linkguard.testkit.EmbeddedMariaDb;
import io.github.linkguard.testkit.MariaDbExtension;
import java.sql.Connection;
import java.sql.SQLException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Where a transaction loses nothing when its link is lost: before its first statement (and at the calls
 * that set it up, as Spring and Hibernate make them), and at the COMMIT of a transaction that only read.
 * With TLS off and on.
 */
@ExtendWith(MariaDbExtension.class)
@Timeout(60)
class TransactionStartTest {

    @BeforeAll
    static void createTable(EmbeddedMariaDb db) {
        db.execute("CREATE TABLE IF NOT EXISTS tx_rows (id INT PRIMARY KEY AUTO_INCREMENT, note VARCHAR(20))");
    }

    @BeforeEach
    void emptyTable(EmbeddedMariaDb db) {
        db.execute("DELETE FROM tx_rows");
    }

    private static Pools.Guarded guard(EmbeddedMariaDb db, boolean tls) {
        return Pools.guard(Pools.lazyHikari(db, Pools.url(db, tls)), builder -> builder.maxAttempts(3));
    }

    private static void kill(EmbeddedMariaDb db, Connection connection) throws SQLException {
        db.execute("KILL CONNECTION " + number(connection, "SELECT CONNECTION_ID()"));
    }

    @ParameterizedTest(name = "TLS {0}")
    @ValueSource(booleans = {false, true})
    void aWriteThatStartsATransactionRunsOnAFreshLinkExactlyOnce(boolean tls, EmbeddedMariaDb db) throws Exception {
        try (Pools.Guarded guarded = guard(db, tls); Connection connection = guarded.dataSource().getConnection()) {
            connection.setAutoCommit(false);
            execute(connection, "INSERT INTO tx_rows (note) VALUES ('first')");
            long session = number(connection, "SELECT CONNECTION_ID()");
            connection.commit();
            db.execute("KILL CONNECTION " + session); // between two transactions

            execute(connection, "INSERT INTO tx_rows (note) VALUES ('second')"); // the first of its transaction
            execute(connection, "INSERT INTO tx_rows (note) VALUES ('third')");
            connection.commit();

            assertThat(number(db, "SELECT COUNT(*) FROM test.tx_rows")).isEqualTo(3);
            assertThat(guarded.registry().find("linkguard.retries").tag("outcome", "recovered").counters()).isNotEmpty();

            session = number(connection, "SELECT CONNECTION_ID()");
            connection.commit();
            db.execute("KILL CONNECTION " + session);
            connection.commit(); // nothing ran since the last COMMIT: there is nothing to lose
            assertThat(number(connection, "SELECT COUNT(*) FROM tx_rows")).isEqualTo(3);
        }
    }

    @ParameterizedTest(name = "TLS {0}")
    @ValueSource(booleans = {false, true})
    void theCallsThatBeginATransactionSucceedOnAFreshLink(boolean tls, EmbeddedMariaDb db) throws Exception {
        try (Pools.Guarded guarded = guard(db, tls); Connection connection = guarded.dataSource().getConnection()) {
            // Spring's read-only @Transactional: setReadOnly(true), setAutoCommit(false), reads, commit
            kill(db, connection);
            connection.setReadOnly(true);
            connection.setAutoCommit(false);
            assertThat(number(connection, "SELECT @@session.transaction_read_only")).isEqualTo(1);
            connection.commit();
            connection.setAutoCommit(true);
            connection.setReadOnly(false);

            // Hibernate's begin of a read-write unit of work: setAutoCommit(false) first
            kill(db, connection);
            connection.setAutoCommit(false);
            connection.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
            execute(connection, "INSERT INTO tx_rows (note) VALUES ('written')");
            connection.commit();
            connection.setAutoCommit(true);

            assertThat(number(db, "SELECT COUNT(*) FROM test.tx_rows")).isEqualTo(1);
            assertThat(number(connection, "SELECT @@session.transaction_isolation = 'READ-COMMITTED'")).isEqualTo(1);
        }
    }

    @ParameterizedTest(name = "TLS {0}")
    @ValueSource(booleans = {false, true})
    void aLostCommitOfATransactionThatOnlyReadSucceeds(boolean tls, EmbeddedMariaDb db) throws Exception {
        try (Pools.Guarded guarded = guard(db, tls); Connection connection = guarded.dataSource().getConnection()) {
            connection.setAutoCommit(false);
            number(connection, "SELECT COUNT(*) FROM tx_rows");
            kill(db, connection);

            connection.commit();

            connection.setAutoCommit(true);
            assertThat(number(connection, "SELECT 1")).isEqualTo(1);
            assertThat(guarded.registry().find("linkguard.retries").tag("outcome", "recovered").counters()).isNotEmpty();
        }
    }

    @ParameterizedTest(name = "TLS {0}")
    @ValueSource(booleans = {false, true})
    void aLostCommitOfATransactionThatWroteIsResolved(boolean tls, EmbeddedMariaDb db) throws Exception {
        try (Pools.Guarded guarded = guard(db, tls); Connection connection = guarded.dataSource().getConnection()) {
            long session = number(connection, "SELECT CONNECTION_ID()"); // read before: a replay would read another
            connection.setAutoCommit(false);
            number(connection, "SELECT COUNT(*) FROM tx_rows");
            execute(connection, "INSERT INTO tx_rows (note) VALUES ('resolved')");
            db.execute("KILL CONNECTION " + session);

            connection.commit(); // the server rolled it back: LinkGuard learns so, replays it and commits
            assertThat(number(db, "SELECT COUNT(*) FROM test.tx_rows WHERE note = 'resolved'")).isEqualTo(1);
        }
    }

    /** Without its markers (turned off, or a table LinkGuard may not create), a lost COMMIT's outcome is unknown. */
    @ParameterizedTest(name = "TLS {0}")
    @ValueSource(booleans = {false, true})
    void aLostCommitWithoutCommitOutcomesHasAnUnknownOutcome(boolean tls, EmbeddedMariaDb db) throws Exception {
        try (Pools.Guarded guarded = Pools.guard(Pools.lazyHikari(db, Pools.url(db, tls)),
                builder -> builder.maxAttempts(3).commitOutcome(false));
                Connection connection = guarded.dataSource().getConnection()) {
            long session = number(connection, "SELECT CONNECTION_ID()"); // read before: a replay would read another
            connection.setAutoCommit(false);
            number(connection, "SELECT COUNT(*) FROM tx_rows");
            execute(connection, "INSERT INTO tx_rows (note) VALUES ('unsure')");
            db.execute("KILL CONNECTION " + session);

            assertThatThrownBy(connection::commit)
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("08007"));
        }
    }

    @ParameterizedTest(name = "TLS {0}")
    @ValueSource(booleans = {false, true})
    void aFreshLinkThatIsDeadTooIsJustAnotherAttempt(boolean tls, EmbeddedMariaDb db) throws Exception {
        try (Pools.Guarded guarded = guard(db, tls); Connection connection = guarded.dataSource().getConnection()) {
            try (Connection other = guarded.dataSource().getConnection()) {
                number(other, "SELECT 1"); // back in the pool, used a moment ago: handed out unchecked
                kill(db, other);
            }
            kill(db, connection);
            connection.setAutoCommit(false);

            execute(connection, "INSERT INTO tx_rows (note) VALUES ('once')");
            connection.commit();

            assertThat(number(db, "SELECT COUNT(*) FROM test.tx_rows")).isEqualTo(1);
        }
    }
}
