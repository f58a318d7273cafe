package io.github.linkguard.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Three nodes replicate every write to each other; a killed node leaves the two others writing, and rejoins with
 * what it missed. Needs Debian's mariadb-server, galera-4 and rsync ({@code .ci/run} installs them).
 */
@Timeout(300)
class GaleraClusterTest {

    @Test
    void replicatesLosesANodeAndTakesItBack() throws Exception {
        // with Debian's MariaDB (the 10.11 leg of .ci/run, which installs the packages), skipped before
        Assumptions.assumeTrue(System.getProperty(EmbeddedMariaDb.INSTALLATION_PROPERTY) != null && GaleraCluster.available(),
                "Galera runs with -D" + EmbeddedMariaDb.INSTALLATION_PROPERTY + "=/usr and galera-4 installed");
        try (GaleraCluster cluster = GaleraCluster.start(3)) {
            write(cluster, 0, "CREATE TABLE t (id INT PRIMARY KEY)", "INSERT INTO t VALUES (1)");
            write(cluster, 2, "INSERT INTO t VALUES (2)");
            assertThat(count(cluster, 1)).isEqualTo(2);

            cluster.kill(0);
            assertThat(cluster.ready(0)).isFalse();
            write(cluster, 1, "INSERT INTO t VALUES (3)"); // the two others are the primary component
            cluster.rejoin(0);
            assertThat(cluster.ready(0)).isTrue();
            assertThat(count(cluster, 0)).isEqualTo(3);
        }
    }

    private static void write(GaleraCluster cluster, int node, String... sql) throws SQLException {
        try (Connection connection = cluster.connect(node); Statement statement = connection.createStatement()) {
            for (String each : sql) {
                statement.execute(each);
            }
        }
    }

    private static long count(GaleraCluster cluster, int node) throws SQLException {
        try (Connection connection = cluster.connect(node); Statement statement = connection.createStatement()) {
            statement.execute("SET SESSION wsrep_sync_wait = 1"); // a read that waits for what the cluster committed
            try (ResultSet row = statement.executeQuery("SELECT COUNT(*) FROM t")) {
                row.next();
                return row.getLong(1);
            }
        }
    }
}
