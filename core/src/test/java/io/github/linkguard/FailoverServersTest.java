package io.github.linkguard;

import static io.github.linkguard.Pools.number;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import io.github.linkguard.testkit.EmbeddedMariaDb;
import io.github.linkguard.testkit.FaultProxy;
import io.github.linkguard.testkit.MariaDbExtension;
import java.sql.Connection;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code servers(...)}: the servers a failover moves the writer between, for a URL that names one address (here a
 * name for a server that is down, as a DNS name left on a dead primary): connections go to the writer among them,
 * with the URL's database and properties; bad lists are refused with the reason.
 */
@ExtendWith(MariaDbExtension.class)
class FailoverServersTest {

    @Test
    void connectionsGoToTheWriterAmongTheServersNotToTheUrlsAddress(EmbeddedMariaDb db) throws Exception {
        try (FaultProxy deadPrimary = FaultProxy.start(db.host(), db.port())) {
            deadPrimary.refuse(true);
            String dead = deadPrimary.host() + ":" + deadPrimary.port();
            String live = db.host() + ":" + db.port();
            HikariConfig config = config(EmbeddedMariaDb.jdbcUrl(deadPrimary.host(), deadPrimary.port()), db);
            try (LinkGuardDataSource dataSource = LinkGuardDataSource.hikari(config).servers(List.of(dead, live))
                    .build()) {
                assertThat(dataSource.topology()).hasValue(new ServerTopology(List.of(dead, live), null));
                try (Connection connection = dataSource.getConnection()) {
                    assertThat(number(connection, "SELECT @@port")).isEqualTo(db.port());
                    assertThat(connection.getCatalog()).isEqualTo("test"); // the URL's database
                }
                assertThat(dataSource.topology()).hasValue(new ServerTopology(List.of(dead, live), live));
            }
        }
    }

    @Test
    void aBadListOfServersIsRefusedWithTheReason(EmbeddedMariaDb db) {
        LinkGuardDataSource.Builder builder = LinkGuardDataSource.hikari(config(db.jdbcUrl(), db));
        assertThatThrownBy(() -> builder.servers(List.of("db1:3306"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least two");
        assertThatThrownBy(() -> builder.servers(List.of("db1:3306", "db1:3306")))
                .hasMessageContaining("must not repeat");
        assertThatThrownBy(() -> builder.servers(List.of("db1:3306", "db2:70000"))).hasMessageContaining("1 to 65535");
        assertThatThrownBy(() -> builder.servers(List.of("db1:3306", " "))).hasMessageContaining("host or host:port");
        assertThatThrownBy(() -> builder.servers(List.of("db1", "jdbc:mysql://db2"))).hasMessageContaining("host or "
                + "host:port");
        assertThat(builder.servers(List.of("db1", "db2:3307", "[::1]:3308", "[fd00::2]"))).isSameAs(builder);
        assertThatThrownBy(() -> LinkGuardDataSource.builder(new com.mysql.cj.jdbc.MysqlDataSource())
                .servers(List.of("db1", "db2")).build()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("HikariCP pool that has not started");
    }

    private static HikariConfig config(String url, EmbeddedMariaDb db) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setUsername(db.user());
        config.setPassword(db.password());
        config.setMaximumPoolSize(2);
        config.setInitializationFailTimeout(-1);
        return config;
    }
}
