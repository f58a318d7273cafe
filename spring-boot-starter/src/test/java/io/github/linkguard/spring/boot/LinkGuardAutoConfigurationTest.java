package io.github.linkguard.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.github.linkguard.internal.pool.RefillGate;
import io.github.linkguard.LinkGuardDataSource;
import io.github.linkguard.ServerTopology;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Every condition of the auto-configuration, without a database: no connection is ever opened. */
class LinkGuardAutoConfigurationTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(LinkGuardAutoConfiguration.class))
            .withUserConfiguration(OneDataSource.class);

    @Test
    void wrapsTheDataSourceWithoutOpeningAConnectionAndKeepsThePoolReachable() {
        runner.run(context -> {
            DataSource dataSource = context.getBean(DataSource.class);
            assertThat(dataSource).isInstanceOf(LinkGuardDataSource.class);
            assertThat(((LinkGuardDataSource) dataSource).name()).isEqualTo("dataSource");
            assertThat(dataSource.unwrap(HikariDataSource.class).getPoolName()).isEqualTo("app-pool");
            assertThat(dataSource.unwrap(HikariDataSource.class).isRunning()).isFalse(); // never started
        });
    }

    @Test
    void sitsUnderThePoolTooSoThatItReconnectsAsSoonAsTheServerIsBack() {
        runner.run(context -> {
            HikariDataSource pool = context.getBean(DataSource.class).unwrap(HikariDataSource.class);
            assertThat(pool.getDataSource()).isInstanceOf(RefillGate.class); // HikariCP opens its connections there
            assertThat(pool.getJdbcUrl()).isEqualTo("jdbc:mysql://127.0.0.1:1/none"); // the pool keeps its settings
        });
    }

    @Test
    void closingTheContextStopsLinkGuardBeforeSpringClosesThePool() {
        runner.run(context -> {
            LinkGuardDataSource guarded = (LinkGuardDataSource) context.getBean(DataSource.class);
            HikariDataSource pool = guarded.unwrap(HikariDataSource.class);
            assertThat(guarded.isClosed()).isFalse();

            context.close();

            assertThat(guarded.isClosed()).isTrue();
            assertThat(pool.isClosed()).isTrue();
        });
    }

    @Test
    void disabledLeavesTheDataSourceUntouched() {
        runner.withPropertyValues("linkguard.enabled=false").run(context -> {
            assertThat(context.getBean(DataSource.class)).isInstanceOf(HikariDataSource.class);
            assertThat(context).doesNotHaveBean(LinkGuardDataSourceWrapper.class);
        });
    }

    @Test
    void excludedBeansAndScopedTargetsAreLeftAlone() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(LinkGuardAutoConfiguration.class))
                .withUserConfiguration(ThreeDataSources.class)
                .withPropertyValues("linkguard.exclude=reporting")
                .run(context -> {
                    assertThat(context.getBean("orders")).isInstanceOf(LinkGuardDataSource.class);
                    assertThat(((LinkGuardDataSource) context.getBean("orders")).name()).isEqualTo("orders");
                    assertThat(context.getBean("reporting")).isInstanceOf(HikariDataSource.class);
                    assertThat(context.getBean("scopedTarget.tenant")).isInstanceOf(HikariDataSource.class);
                });
    }

    @Test
    void propertiesAndCustomizersConfigureTheBuilder() {
        runner.withPropertyValues("linkguard.retry.max-attempts=5", "linkguard.retry.initial-interval=50ms",
                        "linkguard.retry.multiplier=1.5", "linkguard.retry.max-interval=1s", "linkguard.retry.budget=10s")
                .withBean(LinkGuardDataSourceCustomizer.class, () -> (name, builder) -> builder.name(name + "-custom"))
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    LinkGuardProperties.Retry retry = context.getBean(LinkGuardProperties.class).getRetry();
                    assertThat(retry.getMaxAttempts()).isEqualTo(5);
                    assertThat(retry.getMultiplier()).isEqualTo(1.5);
                    assertThat(((LinkGuardDataSource) context.getBean(DataSource.class)).name())
                            .isEqualTo("dataSource-custom");
                });
    }

    @Test
    void commitOutcomePropertiesBind() {
        runner.withPropertyValues("linkguard.commit-outcome.auto-commit-writes=true",
                        "linkguard.commit-outcome.table=app.markers")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    LinkGuardProperties.CommitOutcome outcome = context.getBean(LinkGuardProperties.class)
                            .getCommitOutcome();
                    assertThat(outcome.isEnabled()).isTrue();
                    assertThat(outcome.isAutoCommitWrites()).isTrue();
                    assertThat(outcome.getTable()).isEqualTo("app.markers");
                });
        runner.withPropertyValues("linkguard.commit-outcome.table=x; DROP TABLE y").run(context ->
                assertThat(context).getFailure().rootCause().hasMessageContaining("plain name"));
    }

    @Test
    void failoverServersBindByDataSourceName() {
        runner.withPropertyValues("linkguard.failover.servers.dataSource=db1:3306,db2:3307").run(context -> {
            assertThat(context).hasNotFailed();
            LinkGuardDataSource guarded = (LinkGuardDataSource) context.getBean(DataSource.class);
            assertThat(guarded.topology()).hasValue(new ServerTopology(List.of("db1:3306", "db2:3307"), null));
        });
        runner.withPropertyValues("linkguard.failover.servers.reporting=db1,db2").run(context ->
                assertThat(((LinkGuardDataSource) context.getBean(DataSource.class)).topology()).isEmpty());
        runner.withPropertyValues("linkguard.failover.servers.dataSource=db1:3306").run(context ->
                assertThat(context).getFailure().rootCause().hasMessageContaining("at least two"));
    }

    @Test
    void badValuesStopTheApplicationWithTheReason() {
        runner.withPropertyValues("linkguard.retry.max-attempts=0").run(context ->
                assertThat(context).getFailure().rootCause().hasMessageContaining("must be at least 1, was 0"));
        runner.withPropertyValues("linkguard.retry.multiplier=0.5").run(context ->
                assertThat(context).getFailure().rootCause().hasMessageContaining("must be at least 1, was 0.5"));
        runner.withPropertyValues("linkguard.retry.initial-interval=-1s").run(context ->
                assertThat(context).getFailure().rootCause().hasMessageContaining("must be positive"));
        runner.withPropertyValues("linkguard.probe-timeout=-1s").run(context ->
                assertThat(context).getFailure().rootCause().hasMessageContaining("must not be negative"));
        runner.withPropertyValues("linkguard.retry.initial-interval=5s", "linkguard.retry.max-interval=1s").run(context ->
                assertThat(context).getFailure().rootCause().hasMessageContaining("maxInterval"));
        runner.withPropertyValues("linkguard.replay.max-statements=0").run(context ->
                assertThat(context).getFailure().rootCause().hasMessageContaining("must be at least 1, was 0"));
        runner.withPropertyValues("linkguard.replay.max-size=0B").run(context ->
                assertThat(context).getFailure().rootCause().hasMessageContaining("must be at least 1 byte"));
        runner.withPropertyValues("linkguard.retry.budget-ratio=-0.1").run(context ->
                assertThat(context).getFailure().rootCause().hasMessageContaining("must be 0 or more, was -0.1"));
        runner.withPropertyValues("linkguard.retry.budget-minimum=-1").run(context ->
                assertThat(context).getFailure().rootCause().hasMessageContaining("must be 0 or more, was -1"));
        runner.withPropertyValues("linkguard.retry.reconnect-interval=0s").run(context ->
                assertThat(context).getFailure().rootCause().hasMessageContaining("must be positive"));
        runner.withPropertyValues("linkguard.remediation.skip=evict-idle,refresh-pool").run(context ->
                assertThat(context).getFailure().rootCause().hasMessageContaining("no remedy 'evict-idle'"));
    }

    @Test
    void remediationAndPreflightPropertiesBind() {
        runner.withPropertyValues("linkguard.remediation.enabled=false", "linkguard.preflight.enabled=false",
                        "linkguard.remediation.skip=refresh-pool")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context.getBean(LinkGuardProperties.class).getRemediation().isEnabled()).isFalse();
                    assertThat(context.getBean(LinkGuardProperties.class).getRemediation().getSkip())
                            .containsExactly("refresh-pool");
                    assertThat(context).doesNotHaveBean(LinkGuardPreflight.class);
                });
    }

    @Test
    void retryBudgetAndReconnectPropertiesBind() {
        runner.withPropertyValues("linkguard.retry.budget-ratio=0.25", "linkguard.retry.budget-minimum=3",
                "linkguard.retry.reconnect-interval=1s").run(context -> {
                    assertThat(context).hasNotFailed();
                    LinkGuardProperties.Retry retry = context.getBean(LinkGuardProperties.class).getRetry();
                    assertThat(retry.getBudgetRatio()).isEqualTo(0.25);
                    assertThat(retry.getBudgetMinimum()).isEqualTo(3);
                    assertThat(retry.getReconnectInterval()).hasSeconds(1);
                });
    }

    @Test
    void replayPropertiesBind() {
        runner.withPropertyValues("linkguard.replay.enabled=false", "linkguard.replay.max-statements=50",
                "linkguard.replay.max-size=64KB").run(context -> {
                    assertThat(context).hasNotFailed();
                    LinkGuardProperties.Replay replay = context.getBean(LinkGuardProperties.class).getReplay();
                    assertThat(replay.isEnabled()).isFalse();
                    assertThat(replay.getMaxStatements()).isEqualTo(50);
                    assertThat(replay.getMaxSize().toBytes()).isEqualTo(64 * 1024);
                });
    }

    @Test
    void asksTheServerToReportSessionChangesUnlessTurnedOff() {
        runner.run(context -> assertThat(context.getBean(DataSource.class).unwrap(HikariDataSource.class)
                .getDataSourceProperties())
                .containsEntry("trackSessionState", "true")
                .containsEntry("sessionVariables", "session_track_state_change=ON,session_track_transaction_info=STATE"));
        runner.withPropertyValues("linkguard.session.tracking=false")
                .run(context -> assertThat(context.getBean(DataSource.class).unwrap(HikariDataSource.class)
                        .getDataSourceProperties()).doesNotContainKeys("trackSessionState", "sessionVariables"));
    }

    @Test
    void aDataSourceThatCannotConnectStillStarts() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(LinkGuardAutoConfiguration.class))
                .withBean("broken", DataSource.class, BrokenDataSource::new)
                .run(context -> assertThat(context.getBean("broken")).isInstanceOf(LinkGuardDataSource.class));
    }

    @Configuration(proxyBeanMethods = false)
    static class OneDataSource {
        @Bean
        HikariDataSource dataSource() {
            HikariDataSource pool = new HikariDataSource();
            pool.setPoolName("app-pool");
            pool.setJdbcUrl("jdbc:mysql://127.0.0.1:1/none");
            return pool;
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class ThreeDataSources {
        @Bean
        HikariDataSource orders() {
            return new HikariDataSource();
        }

        @Bean
        HikariDataSource reporting() {
            return new HikariDataSource();
        }

        @Bean(name = "scopedTarget.tenant")
        HikariDataSource tenant() {
            return new HikariDataSource();
        }
    }

    /** Fails every connect: wrapping must not try one. */
    static class BrokenDataSource implements DataSource {
        @Override
        public Connection getConnection() throws SQLException {
            throw new SQLException("no connection may be opened while wrapping");
        }

        @Override
        public Connection getConnection(String username, String password) throws SQLException {
            return getConnection();
        }

        @Override
        public PrintWriter getLogWriter() {
            return null;
        }

        @Override
        public void setLogWriter(PrintWriter out) {
        }

        @Override
        public void setLoginTimeout(int seconds) {
        }

        @Override
        public int getLoginTimeout() {
            return 0;
        }

        @Override
        public Logger getParentLogger() {
            return Logger.getGlobal();
        }

        @Override
        public <T> T unwrap(Class<T> iface) throws SQLException {
            throw new SQLException("not a wrapper");
        }

        @Override
        public boolean isWrapperFor(Class<?> iface) {
            return false;
        }
    }
}
