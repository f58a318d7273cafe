package io.github.linkguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.github.linkguard.internal.topology.NoWriterException;
import io.github.linkguard.testkit.EmbeddedMariaDb;
import io.github.linkguard.testkit.FaultProxy;
import io.github.linkguard.testkit.ReplicationCluster;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The primary of a GTID replication pair is killed (SIGKILL) under load and its replica promoted a second later,
 * the application naming both servers in a Connector/J multi-host URL: with LinkGuard under an unstarted pool it
 * sees no failure, writes again within a second of the promotion, every acknowledged write is on the new primary
 * at most once (missing ones are the engine's asynchronous window, counted apart), and the old primary, back
 * writable, gets no write. Four writers (transactions) and two readers. TLS off and on.
 */
@Timeout(240)
class FailoverTest {

    @ParameterizedTest(name = "TLS {0}")
    @ValueSource(booleans = {false, true})
    void aPrimaryKilledAndAReplicaPromotedIsInvisibleToTheApplication(boolean tls) throws Exception {
        try (ReplicationCluster cluster = ReplicationCluster.start(2);
                Pools.Guarded guarded = Pools.guard(pool(cluster, tls), builder -> builder)) {
            FailoverLoad load = new FailoverLoad(guarded);
            load.start();
            load.awaitAcked(50);
            cluster.server(0).kill(); // the primary crashes
            long killedAt = System.nanoTime();
            TimeUnit.SECONDS.sleep(1);
            cluster.promote(1); // an orchestrator promotes the replica
            long promotedAt = System.nanoTime();
            load.awaitAckedAfter(promotedAt, 50);

            cluster.server(0).start(); // the old primary comes back writable: a zombie
            long zombieAt = System.currentTimeMillis();
            load.awaitAckedAfter(System.nanoTime(), 50);
            load.stop();

            load.assertInvisible("failover", tls, "promotion", promotedAt);
            System.out.printf("failover (TLS %s): first write %d ms after the kill%n", tls,
                    TimeUnit.NANOSECONDS.toMillis(load.firstAckAfter(promotedAt) - killedAt));

            Map<Long, Long> onNewPrimary = tokens(cluster, 1, 0);
            long missing = load.acked.stream().filter(token -> !onNewPrimary.containsKey(token)).count();
            System.out.printf("acknowledged writes missing on the new primary (the asynchronous window): %d%n",
                    missing);
            assertThat(onNewPrimary.values()).as("writes applied twice").allMatch(count -> count == 1);
            assertThat(tokens(cluster, 0, zombieAt)).as("writes to the zombie after it came back").isEmpty();
            assertThat(guarded.registry().get("linkguard.writer").gauge().value()).isEqualTo(1);
            assertThat(guarded.registry().get("linkguard.writer.switches").counter().count()).isEqualTo(1);
            // the probe read the killed primary itself (refusing), not the replica, which would read as a network fault
            Map<String, Double> causes = causes(guarded);
            System.out.printf("failover (TLS %s): lost links by cause %s%n", tls, causes);
            assertThat(causes).containsKey("server-restart").doesNotContainKey("network");
        }
    }

    /**
     * A link lost while no server is the writer (the primary killed, none promoted yet) is diagnosed from the lost
     * writer's own answer, its port refusing: a server restart. The pool's attempt that found no writer comes
     * first here, as when the pool refills before a link's loss is seen; its failure was the probe's reading, and
     * the replica's answer in it read as a network fault (once in CI: every lost link of a failover "network").
     * The gate's interval is long, so that the lost link is diagnosed while that attempt is recent.
     */
    @ParameterizedTest(name = "TLS {0}")
    @ValueSource(booleans = {false, true})
    void aLinkLostWhileNoServerIsTheWriterIsDiagnosedFromTheLostWriter(boolean tls) throws Exception {
        try (ReplicationCluster cluster = ReplicationCluster.start(2)) {
            HikariDataSource pool = pool(cluster, tls);
            try (Pools.Guarded guarded = Pools.guard(pool, builder -> builder.reconnectInterval(Duration.ofSeconds(5)));
                    Connection held = guarded.dataSource().getConnection()) {
                assertThat(Pools.number(held, "SELECT 1")).isEqualTo(1);
                cluster.server(0).kill();
                assertThatThrownBy(() -> pool.getDataSource().getConnection().close()) // the pool's refill
                        .isInstanceOf(NoWriterException.class);
                ExecutorService reader = Executors.newSingleThreadExecutor();
                try {
                    Future<Long> read = reader.submit(() -> Pools.number(held, "SELECT COUNT(*) FROM acked"));
                    TimeUnit.SECONDS.sleep(1);
                    cluster.promote(1);
                    assertThat(read.get(30, TimeUnit.SECONDS)).as("the read, on the new primary").isZero();
                } finally {
                    reader.shutdownNow();
                }
                assertThat(causes(guarded)).containsOnlyKeys("server-restart");
            }
        }
    }

    /**
     * One address that moves (a virtual IP, a DNS name, a proxy) instead of a multi-host URL: the primary behind it
     * is killed, the replica promoted a second later and the address moved to it. LinkGuard on that address: no
     * failure, writes again within a second of the move, nothing applied twice.
     */
    @ParameterizedTest(name = "TLS {0}")
    @ValueSource(booleans = {false, true})
    void aPrimaryKilledBehindAnAddressThatMovesIsInvisible(boolean tls) throws Exception {
        try (ReplicationCluster cluster = ReplicationCluster.start(2);
                FaultProxy address = FaultProxy.start(cluster.server(0).host(), cluster.server(0).port())) {
            HikariDataSource pool;
            try (Connection primary = cluster.connect(0)) {
                pool = FailoverLoad.pool(primary, "moving-address", EmbeddedMariaDb.jdbcUrl(address.host(),
                        address.port()), cluster.user(), cluster.password(), tls);
            }
            cluster.awaitReplicated(1, 0, 30);
            try (Pools.Guarded guarded = Pools.guard(pool, builder -> builder)) {
                FailoverLoad load = new FailoverLoad(guarded);
                load.start();
                load.awaitAcked(50);
                cluster.server(0).kill();
                TimeUnit.SECONDS.sleep(1);
                cluster.promote(1);
                address.retarget(cluster.server(1).host(), cluster.server(1).port());
                long movedAt = System.nanoTime();
                load.awaitAckedAfter(movedAt, 50);
                load.stop();

                load.assertInvisible("moving address", tls, "move", movedAt);
                assertThat(tokens(cluster, 1, 0).values()).as("writes applied twice").allMatch(count -> count == 1);
            }
        }
    }

    /**
     * A graceful switchover: the primary made read-only (its connections stay open), the replica caught up and
     * promoted, the old primary repointed to it. Each pooled connection's next write meets the old primary's
     * read-only error: the connection leaves the pool with every other one to that server, the writer is learned
     * again, and the write (with its transaction) runs there: the application sees no failure, writes go on on
     * the new primary within a second of the promotion, nothing doubled.
     */
    @ParameterizedTest(name = "TLS {0}")
    @ValueSource(booleans = {false, true})
    void aGracefulSwitchoverIsInvisible(boolean tls) throws Exception {
        try (ReplicationCluster cluster = ReplicationCluster.start(2);
                Pools.Guarded guarded = Pools.guard(pool(cluster, tls), builder -> builder)) {
            FailoverLoad load = new FailoverLoad(guarded);
            load.start();
            load.awaitAcked(50);
            cluster.server(0).execute("SET GLOBAL read_only = ON");
            cluster.awaitReplicated(1, 0, 30);
            cluster.promote(1);
            long promotedAt = System.nanoTime();
            cluster.replicate(0, 1);
            load.awaitAckedAfter(promotedAt, 50);
            load.stop();

            load.assertInvisible("switchover", tls, "promotion", promotedAt);
            cluster.awaitReplicated(0, 1, 30);
            Map<Long, Long> onNewPrimary = tokens(cluster, 1, 0);
            assertThat(load.acked).allMatch(onNewPrimary::containsKey);
            assertThat(onNewPrimary.values()).as("writes applied twice").allMatch(count -> count == 1);
        }
    }

    /**
     * A transaction that read on the primary, then meets a switchover: its write is refused by the demoted
     * primary, and the transaction moves to the new one (its read replayed there with proof, then the write) and
     * commits there, once. (A primary is made read-only only once its write transactions ended: a transaction
     * that wrote commits before the switchover.)
     */
    @Test
    void aTransactionOpenThroughASwitchoverMovesToTheNewPrimary() throws Exception {
        try (ReplicationCluster cluster = ReplicationCluster.start(2);
                Pools.Guarded guarded = Pools.guard(pool(cluster, true), builder -> builder);
                Connection connection = guarded.dataSource().getConnection()) {
            connection.setAutoCommit(false);
            insert(connection, 1);
            connection.commit();
            try (Statement statement = connection.createStatement();
                    ResultSet count = statement.executeQuery("SELECT COUNT(*) FROM acked")) {
                count.next();
                assertThat(count.getLong(1)).isEqualTo(1);
            }
            cluster.server(0).execute("SET GLOBAL read_only = ON");
            cluster.awaitReplicated(1, 0, 30);
            cluster.promote(1);
            cluster.replicate(0, 1);
            insert(connection, 2); // refused by the old primary: on the new one, after the read
            connection.commit();
            assertThat(guarded.registry().get("linkguard.writer").gauge().value()).isEqualTo(1);
            assertThat(tokens(cluster, 1, 0)).containsExactlyInAnyOrderEntriesOf(Map.of(1L, 1L, 2L, 1L));
        }
    }

    /**
     * The application starts after a switchover, its URL still naming the old primary (now a read-only replica)
     * first: LinkGuard's own connections go to the writer too, so that its table for lost COMMITs is made there
     * (on the replica it could not be, and lost COMMITs would stay unresolved: 08007).
     */
    @Test
    void linkGuardsTableIsMadeOnTheWriterWhenTheUrlNamesAReplicaFirst() throws Exception {
        try (ReplicationCluster cluster = ReplicationCluster.start(2)) {
            HikariDataSource pool = pool(cluster, false);
            cluster.server(0).execute("SET GLOBAL read_only = ON");
            cluster.awaitReplicated(1, 0, 30);
            cluster.promote(1);
            cluster.replicate(0, 1);
            try (Pools.Guarded guarded = Pools.guard(pool, builder -> builder);
                    Connection connection = guarded.dataSource().getConnection()) {
                connection.setAutoCommit(false);
                insert(connection, 1);
                connection.commit();
                assertThat(guarded.dataSource().preflight()).extracting(Finding::id)
                        .doesNotContain("commit-outcome-unavailable");
                try (Connection writer = cluster.connect(1); Statement statement = writer.createStatement();
                        ResultSet markers = statement.executeQuery("SELECT COUNT(*) FROM linkguard_commits")) {
                    markers.next();
                    assertThat(markers.getLong(1)).as("markers on the writer").isEqualTo(1);
                }
            }
        }
    }

    private static void insert(Connection connection, long token) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO acked (token, written_at) VALUES (?, ?)")) {
            insert.setLong(1, token);
            insert.setLong(2, System.currentTimeMillis());
            assertThat(insert.executeUpdate()).isEqualTo(1);
        }
    }

    /**
     * The table the load writes, on the primary and replicated; and a pool of six not started yet (so that
     * LinkGuard sits under it) on the cluster's multi-host URL.
     */
    private static HikariDataSource pool(ReplicationCluster cluster, boolean tls) throws SQLException {
        HikariDataSource pool;
        try (Connection primary = cluster.connect(0)) {
            pool = FailoverLoad.pool(primary, "failover", cluster.jdbcUrl(), cluster.user(), cluster.password(), tls);
        }
        cluster.awaitReplicated(1, 0, 30);
        return pool;
    }

    /** The lost links LinkGuard counted, by cause. */
    private static Map<String, Double> causes(Pools.Guarded guarded) {
        Map<String, Double> causes = new TreeMap<>();
        guarded.registry().find("linkguard.failures").counters().forEach(counter ->
                causes.merge(counter.getId().getTag("cause"), counter.count(), Double::sum));
        return causes;
    }

    /** The tokens on server {@code i} written at or after {@code sinceMillis}, each with how often it is there. */
    private static Map<Long, Long> tokens(ReplicationCluster cluster, int i, long sinceMillis) throws SQLException {
        Map<Long, Long> tokens = new HashMap<>();
        try (Connection connection = cluster.connect(i);
                PreparedStatement query = connection.prepareStatement(
                        "SELECT token, COUNT(*) FROM acked WHERE written_at >= ? GROUP BY token")) {
            query.setLong(1, sinceMillis);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    tokens.put(rows.getLong(1), rows.getLong(2));
                }
            }
        }
        return tokens;
    }
}
