package io.github.linkguard;

import static io.github.linkguard.Pools.number;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.linkguard.testkit.EmbeddedMariaDb;
import io.github.linkguard.testkit.MariaDbExtension;
import java.sql.Connection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code LinkGuardDataSource.hikari(config)}: the pool HikariCP's README has users make with
 * {@code new HikariDataSource(config)}, made so that LinkGuard sits under it (its refill gate, the server's session
 * reports), owned and closed by LinkGuard; the config is left as it was.
 */
@ExtendWith(MariaDbExtension.class)
class HikariConfigTest {

    @Test
    void aPoolMadeFromAConfigHasLinkGuardUnderItAndClosesWithIt(EmbeddedMariaDb db) throws Exception {
        HikariConfig config = new HikariConfig();
        config.setPoolName("from-config");
        config.setJdbcUrl(db.jdbcUrl());
        config.setUsername(db.user());
        config.setPassword(db.password());
        config.setMaximumPoolSize(2);

        HikariDataSource pool;
        try (LinkGuardDataSource dataSource = LinkGuardDataSource.hikari(config).build()) {
            pool = dataSource.unwrap(HikariDataSource.class);
            assertThat(dataSource.name()).isEqualTo("from-config");
            assertThat(pool.isRunning()).isFalse(); // it starts with its first connection, as Spring Boot's does
            try (Connection connection = dataSource.getConnection()) {
                assertThat(number(connection, "SELECT 1")).isEqualTo(1);
            }
            assertThat(String.valueOf(pool.getDataSource())).startsWith("LinkGuard refill gate");
            assertThat(pool.getDataSourceProperties().getProperty("trackSessionState")).isEqualTo("true");
        }
        assertThat(pool.isClosed()).isTrue();
        assertThat(config.getJdbcUrl()).isEqualTo(db.jdbcUrl());
        assertThat(config.getDataSource()).isNull();
    }

    /**
     * A pool started before LinkGuard wrapped it, on a URL naming two servers: LinkGuard cannot find the writer for
     * it, and its preflight says so; the same config given to LinkGuard has no such finding.
     */
    @Test
    void aStartedPoolOnAMultiHostUrlIsAFinding(EmbeddedMariaDb db) throws Exception {
        String address = db.host() + ":" + db.port();
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(db.jdbcUrl().replace(address, address + "," + address)); // two names for one server
        config.setUsername(db.user());
        config.setPassword(db.password());
        config.setMaximumPoolSize(1);

        try (LinkGuardDataSource started = LinkGuardDataSource.builder(new HikariDataSource(config)).build()) {
            assertThat(started.preflight()).extracting(Finding::id).contains("failover-unguarded");
        }
        try (LinkGuardDataSource guarded = LinkGuardDataSource.hikari(config).build()) {
            assertThat(guarded.preflight()).extracting(Finding::id).doesNotContain("failover-unguarded");
        }
    }

    @Test
    void aMissingConfigIsRefused() {
        assertThatThrownBy(() -> LinkGuardDataSource.hikari(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("config");
    }
}
