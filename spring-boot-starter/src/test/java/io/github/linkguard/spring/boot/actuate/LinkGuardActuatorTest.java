package io.github.linkguard.spring.boot.actuate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.linkguard.Finding;
import io.github.linkguard.LinkGuardDataSource;
import io.github.linkguard.ServerTopology;
import io.github.linkguard.spring.boot.LinkGuardAutoConfiguration;
import io.github.linkguard.spring.boot.LinkGuardPreflight;
import io.github.linkguard.testkit.EmbeddedMariaDb;
import io.github.linkguard.testkit.FaultProxy;
import io.github.linkguard.testkit.MariaDbExtension;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The linkguard health contributor and endpoint, against a real server behind a fault proxy. */
@ExtendWith(MariaDbExtension.class)
class LinkGuardActuatorTest {

    @Test
    void healthIsUpWhileTheServerAnswersAndDownWhenItRefusesWithTheLastIncident(EmbeddedMariaDb db) throws Exception {
        try (FaultProxy proxy = FaultProxy.start(db.host(), db.port());
                LinkGuardDataSource dataSource = guard(db, proxy)) {
            LinkGuardHealthIndicator health = new LinkGuardHealthIndicator(new GuardedDataSources(provider(dataSource)));
            assertThat(health.health(true).getStatus()).isEqualTo(Status.UP);

            try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
                statement.execute("SELECT 1");
                proxy.dropAll();
                proxy.refuse(true);
                assertThatThrownBy(() -> statement.execute("SELECT 1")).isInstanceOf(java.sql.SQLException.class);
            }
            Thread.sleep(1100); // past the probe's one-second cache

            Health down = health.health(true);
            assertThat(down.getStatus()).isEqualTo(Status.DOWN);
            @SuppressWarnings("unchecked")
            Map<String, Object> details = (Map<String, Object>) down.getDetails().get("orders");
            assertThat(details).containsEntry("reachable", false);
            @SuppressWarnings("unchecked")
            Map<String, Object> incident = (Map<String, Object>) details.get("lastIncident");
            assertThat(incident).containsEntry("cause", dataSource.recentIncidents().get(0).cause().id())
                    .containsEntry("outcome", "not-retried").containsKey("recommendation");
        }
    }

    @Test
    void theEndpointListsIncidentsAndServerEvidenceWithoutSecrets(EmbeddedMariaDb db) throws Exception {
        try (FaultProxy proxy = FaultProxy.start(db.host(), db.port());
                LinkGuardDataSource dataSource = guard(db, proxy)) {
            try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
                statement.execute("SELECT 1");
                proxy.dropAll();
                statement.execute("INSERT INTO nowhere VALUES (1)"); // fails on the fresh link: a write, not retried
            } catch (java.sql.SQLException expected) {
                // the 08007 of the write, or the table error after it
            }
            Map<String, Object> body = new LinkGuardEndpoint(new GuardedDataSources(provider(dataSource))).linkguard();

            String text = body.toString();
            assertThat(text).contains("orders").contains("cause=network").contains("outcome=not-retried")
                    .contains("wait_timeout")
                    .doesNotContain(db.password()).doesNotContain("jdbc:").doesNotContain("INSERT");
        }
    }

    /**
     * A multi-host URL whose first server refuses connections: the endpoint shows both servers, no writer before the
     * first connection, then the second one as the writer.
     */
    @Test
    void theEndpointShowsTheServersOfAMultiHostUrlAndTheWriter(EmbeddedMariaDb db) throws Exception {
        try (FaultProxy refusing = FaultProxy.start(db.host(), db.port())) {
            refusing.refuse(true);
            String first = refusing.host() + ":" + refusing.port();
            String second = db.host() + ":" + db.port();
            HikariConfig config = new HikariConfig();
            config.setJdbcUrl(db.jdbcUrl().replace("//" + second, "//" + first + "," + second));
            config.setUsername(db.user());
            config.setPassword(db.password());
            config.setInitializationFailTimeout(-1);
            try (LinkGuardDataSource dataSource = LinkGuardDataSource.hikari(config).name("orders").build()) {
                LinkGuardEndpoint endpoint = new LinkGuardEndpoint(new GuardedDataSources(provider(dataSource)));
                assertThat(topology(endpoint)).containsEntry("servers", List.of(first, second))
                        .containsEntry("writer", "none (a failover under way)");
                try (Connection connection = dataSource.getConnection()) {
                    assertThat(connection.isValid(1)).isTrue();
                }
                assertThat(topology(endpoint)).containsEntry("writer", second);
                assertThat(dataSource.topology()).hasValue(new ServerTopology(List.of(first, second),
                        second));
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> topology(LinkGuardEndpoint endpoint) {
        Map<String, Object> dataSources = (Map<String, Object>) endpoint.linkguard().get("dataSources");
        return (Map<String, Object>) ((Map<String, Object>) dataSources.get("orders")).get("topology");
    }

    @Test
    void theConfigurationIsCheckedAtStartUpOffTheMainThreadAndTheEndpointShowsTheFindings(EmbeddedMariaDb db)
            throws Exception {
        // spring.datasource.* as is, with classic mistakes: no socketTimeout, a pool over max_connections
        ApplicationContextRunner runner = new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
                        LinkGuardAutoConfiguration.class, LinkGuardActuatorAutoConfiguration.class))
                .withPropertyValues("spring.datasource.url=" + db.jdbcUrl(), "spring.datasource.username=" + db.user(),
                        "spring.datasource.password=" + db.password(),
                        "spring.datasource.hikari.maximum-pool-size=100000", "spring.jmx.enabled=true",
                        "management.endpoints.jmx.exposure.include=linkguard");
        runner.run(context -> {
            context.getBean(LinkGuardPreflight.class).done().get(30, TimeUnit.SECONDS);
            LinkGuardDataSource dataSource = (LinkGuardDataSource) context.getBean(DataSource.class);
            assertThat(dataSource.lastPreflight()).extracting(Finding::id)
                    .containsExactlyInAnyOrder("no-socket-timeout", "pool-over-max-connections");

            String endpoint = context.getBean(LinkGuardEndpoint.class).linkguard().toString();
            assertThat(endpoint).contains("id=no-socket-timeout", "severity=WARNING", "socketTimeout is 0",
                    "id=pool-over-max-connections").doesNotContain(db.password()).doesNotContain("jdbc:");
        });
        runner.withPropertyValues("linkguard.preflight.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(LinkGuardPreflight.class));
    }

    @Test
    void bothPartsAreConfiguredWithActuatorAndRespectTheSwitches() {
        ApplicationContextRunner runner = new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(LinkGuardAutoConfiguration.class,
                        LinkGuardActuatorAutoConfiguration.class))
                .withBean("dataSource", DataSource.class, HikariDataSource::new)
                .withPropertyValues("spring.jmx.enabled=true", "management.endpoints.jmx.exposure.include=linkguard");
        runner.run(context -> {
            assertThat(context).hasSingleBean(LinkGuardHealthIndicator.class);
            assertThat(context).hasSingleBean(LinkGuardEndpoint.class);
        });
        runner.withPropertyValues("management.health.linkguard.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(LinkGuardHealthIndicator.class));
        runner.withPropertyValues("linkguard.enabled=false").run(context -> {
            assertThat(context).doesNotHaveBean(LinkGuardHealthIndicator.class);
            assertThat(context).doesNotHaveBean(LinkGuardEndpoint.class);
        });
    }

    private static LinkGuardDataSource guard(EmbeddedMariaDb db, FaultProxy proxy) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(EmbeddedMariaDb.jdbcUrl(proxy.host(), proxy.port()));
        config.setUsername(db.user());
        config.setPassword(db.password());
        config.setConnectionTimeout(1_000);
        config.setInitializationFailTimeout(-1);
        return LinkGuardDataSource.builder(new HikariDataSource(config)).name("orders").maxAttempts(1).build();
    }

    private static org.springframework.beans.factory.ObjectProvider<DataSource> provider(DataSource dataSource) {
        org.springframework.beans.factory.support.DefaultListableBeanFactory beans =
                new org.springframework.beans.factory.support.DefaultListableBeanFactory();
        beans.registerSingleton("orders", dataSource);
        return beans.getBeanProvider(DataSource.class);
    }
}
