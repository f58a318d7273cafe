package io.github.linkguard.spring.boot.rerun;

import io.github.linkguard.spring.boot.LinkGuardProperties;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.Predicate;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.springframework.aop.Advisor;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Role;
import org.springframework.core.Ordered;
import org.springframework.transaction.annotation.AnnotationTransactionAttributeSource;
import org.springframework.transaction.config.TransactionManagementConfigUtils;
import org.springframework.transaction.interceptor.TransactionAttributeSource;

/**
 * Runs read-only units of work again after a lost link LinkGuard could not hide ({@link ReadOnlyRerun}):
 * {@code @Transactional(readOnly = true)} methods, Spring Data repositories' read methods and read-only
 * {@code TransactionTemplate} beans. {@code linkguard.rerun.enabled=false} turns it off; {@link RunOnce}
 * leaves one method out.
 */
@AutoConfiguration
@ConditionalOnClass({MethodInterceptor.class, TransactionAttributeSource.class})
@ConditionalOnBooleanProperty(name = "linkguard.enabled", matchIfMissing = true)
@ConditionalOnBooleanProperty(name = "linkguard.rerun.enabled", matchIfMissing = true)
@EnableConfigurationProperties(LinkGuardProperties.class)
public class LinkGuardRerunAutoConfiguration {

    /** Makes the interceptors, reading the settings and the registry when first needed. */
    static final class Reruns {
        static ReadOnlyRerun declared(ObjectProvider<LinkGuardProperties> properties,
                ObjectProvider<MeterRegistry> registry, ReadOnlyRerun.TransactionAttributeSourceLookup lookup) {
            return new Reruns(properties, registry).of(ReadOnlyRerun.declaredReadOnly(lookup));
        }

        private final ObjectProvider<LinkGuardProperties> properties;
        private final ObjectProvider<MeterRegistry> registry;

        Reruns(ObjectProvider<LinkGuardProperties> properties, ObjectProvider<MeterRegistry> registry) {
            this.properties = properties;
            this.registry = registry;
        }

        ReadOnlyRerun of(Predicate<MethodInvocation> readOnly) {
            return new ReadOnlyRerun(readOnly,
                    () -> properties.getIfAvailable(LinkGuardProperties::new).getRerun().getMaxReruns(),
                    registry::getIfAvailable);
        }
    }

    /**
     * Reads {@code @Transactional} as Spring's transaction advisor does, with an attribute source of its own:
     * looking up the context's would make it while Spring's transaction configuration may be in creation.
     */
    @Bean
    @Role(BeanDefinition.ROLE_INFRASTRUCTURE)
    static Advisor linkGuardReadOnlyRerunAdvisor(ObjectProvider<LinkGuardProperties> properties,
            ObjectProvider<MeterRegistry> registry, ConfigurableListableBeanFactory beans) {
        TransactionAttributeSource attributes = new AnnotationTransactionAttributeSource(false);
        // the pointcut chose the read-only methods once per class: every call it advises is one
        return new ReadOnlyRerunAdvisor(attributes, new Reruns(properties, registry).of(invocation -> true),
                () -> transactionAdvisorOrder(beans));
    }

    /** The order of Spring's transaction advisor once it exists (never made here: it may be in creation). */
    private static int transactionAdvisorOrder(ConfigurableListableBeanFactory beans) {
        Object advisor = beans.containsSingleton(TransactionManagementConfigUtils.TRANSACTION_ADVISOR_BEAN_NAME)
                ? beans.getSingleton(TransactionManagementConfigUtils.TRANSACTION_ADVISOR_BEAN_NAME) : null;
        return advisor instanceof Ordered ordered ? ordered.getOrder() : Ordered.LOWEST_PRECEDENCE;
    }

    @Bean
    static TemplateRerun linkGuardTemplateRerun(ObjectProvider<LinkGuardProperties> properties,
            ObjectProvider<MeterRegistry> registry) {
        return new TemplateRerun(new Reruns(properties, registry)::of);
    }
}
