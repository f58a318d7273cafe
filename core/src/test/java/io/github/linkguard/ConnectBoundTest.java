package io.github.linkguard;

import static io.github.linkguard.Pools.diagnosisOf;
import static org.assertj.core.api.Assertions.assertThat;

import com.mysql.cj.jdbc.MysqlDataSource;
import io.github.linkguard.testkit.EmbeddedMariaDb;
import io.github.linkguard.testkit.FaultProxy;
import io.github.linkguard.testkit.MariaDbExtension;
import java.sql.Connection;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Connector/J waits forever for a greeting that never comes; LinkGuard must not. */
@ExtendWith(MariaDbExtension.class)
@Timeout(30)
class ConnectBoundTest {

    @Test
    void stalledHandshakeOnABareDriverDataSourceIsBoundedAndConnectTimeout(EmbeddedMariaDb db) throws Exception {
        try (FaultProxy proxy = FaultProxy.start(db.host(), db.port())) {
            MysqlDataSource driver = new MysqlDataSource();
            driver.setUrl(EmbeddedMariaDb.jdbcUrl(proxy.host(), proxy.port()));
            driver.setUser(db.user());
            driver.setPassword(db.password());
            proxy.blackhole(true);
            try (LinkGuardDataSource dataSource = LinkGuardDataSource.builder(driver)
                    .connectTimeout(Duration.ofSeconds(1))
                    .maxAttempts(1)
                    .probeTimeout(Duration.ofMillis(500))
                    .build()) {
                long start = System.nanoTime();

                Diagnosis diagnosis = diagnosisOf(() -> dataSource.getConnection().close());

                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
                assertThat(diagnosis.cause()).isEqualTo(Cause.CONNECT_TIMEOUT);
                assertThat(diagnosis.phase()).isEqualTo(Phase.CONNECT);
                assertThat(diagnosis.recommendation()).contains("socketTimeout (now 0 ms)").contains("connect_timeout");
            }
        }
    }

    @Test
    void bareDriverDataSourceConnectsThroughTheBound(EmbeddedMariaDb db) throws Exception {
        MysqlDataSource driver = new MysqlDataSource();
        driver.setUrl(db.jdbcUrl());
        driver.setUser(db.user());
        driver.setPassword(db.password());
        try (LinkGuardDataSource dataSource = LinkGuardDataSource.builder(driver).build();
                Connection connection = dataSource.getConnection()) {
            assertThat(connection.isValid(1)).isTrue();
            assertThat(dataSource.name()).isEqualTo("dataSource");
        }
    }
}
