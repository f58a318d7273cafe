package io.github.linkguard.spring.boot.actuate;

import io.github.linkguard.spring.boot.LinkGuardAutoConfiguration;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * LinkGuard's actuator parts: the {@code linkguard} health contributor and the {@code linkguard} endpoint,
 * each when actuator is on the classpath and the part is enabled and exposed as usual.
 */
@AutoConfiguration(after = LinkGuardAutoConfiguration.class)
@ConditionalOnBean(type = "io.github.linkguard.spring.boot.LinkGuardDataSourceWrapper")
public class LinkGuardActuatorAutoConfiguration {

    /** The health contributor. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(HealthIndicator.class)
    @ConditionalOnEnabledHealthIndicator("linkguard")
    static class Health {
        @Bean
        LinkGuardHealthIndicator linkguardHealthIndicator(ObjectProvider<DataSource> dataSources) {
            return new LinkGuardHealthIndicator(new GuardedDataSources(dataSources));
        }
    }

    /** The endpoint. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.actuate.endpoint.annotation.Endpoint")
    @ConditionalOnAvailableEndpoint(LinkGuardEndpoint.class)
    static class Endpoint {
        @Bean
        LinkGuardEndpoint linkGuardEndpoint(ObjectProvider<DataSource> dataSources) {
            return new LinkGuardEndpoint(new GuardedDataSources(dataSources));
        }
    }
}
