package io.github.linkguard.spring.boot;

import io.github.linkguard.LinkGuardDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;

/**
 * Puts LinkGuard in front of the application's DataSource beans: lost links diagnosed, safe operations
 * retried, {@code linkguard.*} meters in the application's registry, and the configuration checked at
 * start-up ({@link LinkGuardPreflight}). {@code linkguard.enabled=false} turns it all off.
 */
@AutoConfiguration(after = DataSourceAutoConfiguration.class)
@ConditionalOnClass({DataSource.class, LinkGuardDataSource.class})
@ConditionalOnBooleanProperty(name = "linkguard.enabled", matchIfMissing = true)
@EnableConfigurationProperties(LinkGuardProperties.class)
public class LinkGuardAutoConfiguration {

    /** Static, so that it neither starts this configuration early nor misses early DataSources. */
    @Bean
    static LinkGuardDataSourceWrapper linkGuardDataSourceWrapper(ObjectProvider<LinkGuardProperties> properties,
            ObjectProvider<MeterRegistry> meterRegistry, ObjectProvider<LinkGuardDataSourceCustomizer> customizers) {
        return new LinkGuardDataSourceWrapper(properties, meterRegistry, customizers);
    }

    @Bean
    @ConditionalOnBooleanProperty(name = "linkguard.preflight.enabled", matchIfMissing = true)
    LinkGuardPreflight linkGuardPreflight(ApplicationContext context, ObjectProvider<DataSource> dataSources) {
        return new LinkGuardPreflight(context, dataSources);
    }
}
