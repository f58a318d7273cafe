package io.github.linkguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.github.linkguard.testkit.EmbeddedMariaDb;
import io.github.linkguard.testkit.GaleraCluster;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A Galera cluster of three nodes named in a Connector/J multi-host URL, LinkGuard under the pool: the node it
 * writes to is killed (SIGKILL) under four writers and two readers; the two others stay the primary component,
 * LinkGuard moves to the next ready node, and the application sees no failure; the killed node rejoins under load,
 * still without a failure. Every acknowledged write is on the cluster exactly once (Galera commits a write on every
 * node or on none). TLS off and on. A COMMIT that fails certification is replayed with proof; a node without the
 * quorum is diagnosed as such. Needs Debian's mariadb-server, galera-4 and rsync: {@code .ci/run} installs them
 * and runs this test in its 10.11 leg.
 */
@Timeout(300)
class GaleraFailoverTest {

    @ParameterizedTest(name = "TLS {0}")
    @ValueSource(booleans = {false, true})
    void aNodeLostAndRejoiningIsInvisibleToTheApplication(boolean tls) throws Exception {
        assumeGalera();
        try (GaleraCluster cluster = GaleraCluster.start(3);
                Pools.Guarded guarded = Pools.guard(pool(cluster, tls), builder -> builder)) {
            FailoverLoad load = new FailoverLoad(guarded);
            load.start();
            load.awaitAcked(50);
            assertThat(guarded.registry().get("linkguard.writer").gauge().value()).isZero();

            cluster.kill(0);
            long killedAt = System.nanoTime();
            load.awaitAckedAfter(killedAt, 50);
            cluster.rejoin(0);
            long rejoinedAt = System.nanoTime();
            load.awaitAckedAfter(rejoinedAt, 50);
            load.stop();

            System.out.printf("galera (TLS %s): %d writes acknowledged, %d reads, first write %d ms after the kill, "
                    + "failures %s%n", tls, load.acked.size(), load.reads.get(),
                    TimeUnit.NANOSECONDS.toMillis(load.firstAckAfter(killedAt) - killedAt), load.failures);
            assertThat(load.failures).as("failures the application saw").isEmpty();
            assertThat(guarded.registry().get("linkguard.writer").gauge().value()).isEqualTo(1); // it stays there
            Map<Long, Long> onTheCluster = tokens(cluster, 2);
            assertThat(load.acked).as("acknowledged writes missing").allMatch(onTheCluster::containsKey);
            assertThat(onTheCluster.values()).as("writes applied twice").allMatch(count -> count == 1);
        }
    }

    /**
     * Two nodes write the same row at once: the one that commits second fails certification at its COMMIT (1213,
     * the server rolled it back). LinkGuard runs it again with proof and commits it: a blind increment commits
     * (both increments are there); one that read the row before sees other data and fails with 40001, nothing of it
     * committed. The replay reads causally: the node may not have applied the winning write yet (once in CI a replay
     * read the old value there, took it for the same data, and committed).
     */
    @Test
    void aCertificationFailureAtCommitIsReplayedWithProof() throws Exception {
        assumeGalera();
        try (GaleraCluster cluster = GaleraCluster.start(2);
                Pools.Guarded guarded = Pools.guard(pool(cluster, true), builder -> builder)) {
            try (Connection node = cluster.connect(1); Statement statement = node.createStatement()) {
                statement.execute("INSERT INTO acked (id, token, written_at) VALUES (1, 0, 0)");
            }
            try (Connection connection = guarded.dataSource().getConnection()) {
                connection.setAutoCommit(false);
                Pools.execute(connection, "UPDATE acked SET token = token + 1 WHERE id = 1");
                updateOnTheOtherNode(cluster);
                long causalReads = causalReads(cluster);
                connection.commit(); // failed certification, replayed, committed
                // the replay waited for the node to apply the other node's write: it sees the data that won
                assertThat(causalReads(cluster)).as("causal reads on node 0").isGreaterThan(causalReads);
                assertThat(Pools.number(connection, "SELECT token FROM acked WHERE id = 1")).isEqualTo(11);
                connection.commit();

                assertThat(Pools.number(connection, "SELECT token FROM acked WHERE id = 1")).isEqualTo(11);
                Pools.execute(connection, "UPDATE acked SET token = token + 1 WHERE id = 1");
                updateOnTheOtherNode(cluster);
                assertThatThrownBy(connection::commit)
                        .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("40001"))
                        .hasMessageContaining("did not see the same data");
                connection.rollback();
            }
            assertThat(tokens(cluster, 0)).containsOnlyKeys(21L); // the second transaction's increment is not there
        }
    }

    /**
     * Two nodes, one killed: the other has lost the quorum and answers 1047 ("WSREP has not yet prepared node for
     * application use", SQLState 08S01 on a link that is fine). LinkGuard says why (cause failover, not the
     * network), learns that no node of the URL is ready (the writer meter at -1), and fails loudly once its retry
     * budget is spent.
     */
    @Test
    void aNodeWithoutTheQuorumIsNotReadyAndTheFailureSaysSo() throws Exception {
        assumeGalera();
        try (GaleraCluster cluster = GaleraCluster.start(2);
                Pools.Guarded guarded = Pools.guard(pool(cluster, false),
                        builder -> builder.retryBudget(java.time.Duration.ofSeconds(2)))) {
            try (Connection connection = guarded.dataSource().getConnection()) {
                Pools.execute(connection, "INSERT INTO acked (token, written_at) VALUES (1, 0)");
                cluster.kill(1);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (cluster.ready(0) && System.nanoTime() - deadline < 0) {
                    TimeUnit.MILLISECONDS.sleep(100); // the survivor notices it is alone
                }
                assertThat(cluster.ready(0)).isFalse();
                assertThatThrownBy(() -> Pools.execute(connection, "INSERT INTO acked (token, written_at) VALUES (2, 0)"))
                        .isInstanceOf(SQLException.class)
                        .satisfies(e -> assertThat(Diagnosis.of(e)).hasValueSatisfying(
                                diagnosis -> assertThat(diagnosis.cause()).isEqualTo(Cause.FAILOVER)));
            }
            assertThat(guarded.registry().get("linkguard.writer").gauge().value()).isEqualTo(-1);
        }
    }

    /** Adds 10 to row 1 on node 1, committed there (LinkGuard's pool writes to node 0). */
    private static void updateOnTheOtherNode(GaleraCluster cluster) throws SQLException {
        try (Connection node = cluster.connect(1); Statement statement = node.createStatement()) {
            statement.execute("UPDATE acked SET token = token + 10 WHERE id = 1");
        }
    }

    /**
     * Runs where the tests are told to use Debian's MariaDB ({@code -Dlinkguard.mariadb.installation=/usr}, the 10.11
     * leg of {@code .ci/run}) and Galera is installed; skipped in the README's test command, which runs before
     * {@code .ci/run} installs the packages on a fresh machine.
     */
    private static void assumeGalera() {
        Assumptions.assumeTrue(System.getProperty(EmbeddedMariaDb.INSTALLATION_PROPERTY) != null && GaleraCluster.available(),
                "Galera runs with -D" + EmbeddedMariaDb.INSTALLATION_PROPERTY + "=/usr and Debian's mariadb-server, "
                        + "galera-4 and rsync installed (.ci/run's 10.11 leg)");
    }

    /** The table the load writes, made on the cluster; a pool of six not started yet on its multi-host URL. */
    private static HikariDataSource pool(GaleraCluster cluster, boolean tls) throws SQLException {
        try (Connection node = cluster.connect(0)) {
            return FailoverLoad.pool(node, "galera", cluster.jdbcUrl(), cluster.user(), cluster.password(), tls);
        }
    }

    /** How many statements node 0 ran with causal reads ({@code wsrep_sync_wait}). */
    private static long causalReads(GaleraCluster cluster) throws SQLException {
        try (Connection node = cluster.connect(0)) {
            return Pools.number(node, "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS "
                    + "WHERE VARIABLE_NAME = 'WSREP_CAUSAL_READS'");
        }
    }

    /** Every token on node {@code i}, with how often it is there, read once the node applied all it received. */
    private static Map<Long, Long> tokens(GaleraCluster cluster, int i) throws SQLException {
        Map<Long, Long> tokens = new HashMap<>();
        try (Connection connection = cluster.connect(i); Statement statement = connection.createStatement()) {
            statement.execute("SET SESSION wsrep_sync_wait = 1");
            try (ResultSet rows = statement.executeQuery("SELECT token, COUNT(*) FROM acked GROUP BY token")) {
                while (rows.next()) {
                    tokens.put(rows.getLong(1), rows.getLong(2));
                }
            }
        }
        return tokens;
    }
}
