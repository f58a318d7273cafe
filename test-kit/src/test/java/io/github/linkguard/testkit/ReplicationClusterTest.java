package io.github.linkguard.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The cluster replicates, refuses the application's writes on replicas, and follows an orchestrator's steps. */
@Timeout(180)
class ReplicationClusterTest {

    @Test
    void replicatesThenFailsOverAndTakesTheOldPrimaryBackAsAReplica() throws Exception {
        try (ReplicationCluster cluster = ReplicationCluster.start(2)) {
            write(cluster, 0, "CREATE TABLE t (id INT PRIMARY KEY)", "INSERT INTO t VALUES (1)");
            cluster.awaitReplicated(1, 0, 10);
            assertThat(count(cluster, 1)).isEqualTo(1);
            assertThatThrownBy(() -> write(cluster, 1, "INSERT INTO t VALUES (2)"))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getErrorCode()).isEqualTo(1290));

            cluster.server(0).kill(); // the primary crashes
            cluster.promote(1);
            assertThat(cluster.primary()).isEqualTo(1);
            write(cluster, 1, "INSERT INTO t VALUES (2)");

            cluster.server(0).start(); // it comes back writable: a zombie
            write(cluster, 0, "INSERT INTO t VALUES (3)");
            cluster.replicate(0, 1); // the orchestrator makes it a replica of the new primary
            assertThatThrownBy(() -> write(cluster, 0, "INSERT INTO t VALUES (4)"))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getErrorCode()).isEqualTo(1290));
            write(cluster, 1, "INSERT INTO t VALUES (5)");
            cluster.awaitReplicated(0, 1, 10);
            assertThat(count(cluster, 0)).isEqualTo(4); // 1, its own 3, and 2 and 5 from the new primary
        }
    }

    private static void write(ReplicationCluster cluster, int server, String... sql) throws SQLException {
        try (Connection connection = cluster.connect(server); Statement statement = connection.createStatement()) {
            for (String each : sql) {
                statement.execute(each);
            }
        }
    }

    private static long count(ReplicationCluster cluster, int server) throws SQLException {
        try (Connection connection = cluster.connect(server); Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery("SELECT COUNT(*) FROM t")) {
            row.next();
            return row.getLong(1);
        }
    }
}
