package io.github.linkguard.spring.boot.rerun;

import io.github.linkguard.spring.boot.LinkGuardProperties;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.context.annotation.Bean;
import org.springframework.data.repository.core.support.RepositoryFactoryBeanSupport;
import org.springframework.transaction.interceptor.TransactionAttributeSource;

/** {@link LinkGuardRerunAutoConfiguration} for Spring Data repositories, where Spring Data is. */
@AutoConfiguration
@ConditionalOnClass({RepositoryFactoryBeanSupport.class, TransactionAttributeSource.class})
@ConditionalOnBooleanProperty(name = "linkguard.enabled", matchIfMissing = true)
@ConditionalOnBooleanProperty(name = "linkguard.rerun.enabled", matchIfMissing = true)
public class LinkGuardRepositoryRerunAutoConfiguration {

    @Bean
    static RepositoryRerun linkGuardRepositoryRerun(ObjectProvider<LinkGuardProperties> properties,
            ObjectProvider<MeterRegistry> registry) {
        return new RepositoryRerun(lookup -> LinkGuardRerunAutoConfiguration.Reruns.declared(properties, registry, lookup));
    }
}
