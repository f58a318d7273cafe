package io.github.linkguard.internal.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.github.linkguard.Cause;
import io.github.linkguard.Diagnosis;
import io.github.linkguard.Phase;
import io.github.linkguard.internal.diagnosis.Activity;
import io.github.linkguard.internal.diagnosis.Diagnostician;
import io.github.linkguard.internal.diagnosis.ExceptionEvidence;
import io.github.linkguard.internal.diagnosis.ServerEvidence;
import io.github.linkguard.internal.metrics.LinkGuardMetrics;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which URLs name a topology, and how a connect that found no writer is diagnosed. */
class TopologyTest {

    private static Topology of(String url) {
        HikariDataSource pool = new HikariDataSource();
        pool.setJdbcUrl(url);
        return Topology.of("test", pool, List.of(), LinkGuardMetrics.NOOP);
    }

    @Test
    void aMultiHostUrlNamesItsServersInOrder() {
        Topology topology = of("jdbc:mysql://db1:3306,db2:3307,[::1]:3308/app?sslMode=REQUIRED");

        assertThat(topology.addresses()).containsExactly("db1:3306", "db2:3307", "[::1]:3308");
        assertThat(topology.writer()).isNull(); // learned with the first connect
    }

    @Test
    void oneServerOrAnotherMultiHostModeIsNoTopology() {
        assertThat(of("jdbc:mysql://db1:3306/app")).isNull();
        assertThat(of("jdbc:mysql:replication://db1:3306,db2:3306/app")).isNull(); // the driver routes itself
        assertThat(of("jdbc:mysql:loadbalance://db1:3306,db2:3306/app")).isNull();
        assertThat(of("jdbc:mariadb://db1:3306,db2:3306/app")).isNull(); // not Connector/J's
        assertThat(Topology.of("test", new HikariDataSource(), List.of(), LinkGuardMetrics.NOOP)).isNull(); // no URL
    }

    @Test
    void serversNamedApartReplaceTheUrlsHosts() {
        HikariDataSource pool = new HikariDataSource();
        pool.setJdbcUrl("jdbc:mysql://primary.example:3306/app?sslMode=REQUIRED");
        assertThat(Topology.of("test", pool, List.of("db1:3306", "db2", "[::1]:3308"), LinkGuardMetrics.NOOP)
                .addresses()).containsExactly("db1:3306", "db2:3306", "[::1]:3308");

        pool.setJdbcUrl("jdbc:mysql:loadbalance://db1:3306/app");
        assertThatThrownBy(() -> Topology.of("test", pool, List.of("db1", "db2"), LinkGuardMetrics.NOOP))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("jdbc:mysql:// URL");
    }

    @Test
    void noWriterIsAFailoverWithEachServersAnswer() {
        NoWriterException noWriter = new NoWriterException(List.of(
                ServerRole.silent("db1:3306", "Connection refused"), ServerRole.silent("db2:3306", "timed out")), null);

        Diagnosis diagnosis = Diagnostician.diagnose("test", ExceptionEvidence.of(noWriter),
                Activity.unknown(Phase.CONNECT), ServerEvidence.NOT_READ);

        assertThat(ExceptionEvidence.of(noWriter).isLinkFailure()).isTrue(); // the pool and LinkGuard try again
        assertThat(diagnosis.cause()).isEqualTo(Cause.FAILOVER);
        assertThat(diagnosis.evidence()).anyMatch(line -> line.contains("db1:3306 no answer (Connection refused)"));
    }
}
