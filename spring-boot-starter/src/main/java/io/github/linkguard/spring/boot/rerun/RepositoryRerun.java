package io.github.linkguard.spring.boot.rerun;

import java.util.function.Function;
import org.springframework.aop.Advisor;
import org.springframework.aop.framework.ProxyFactory;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.core.PriorityOrdered;
import org.springframework.data.repository.core.support.RepositoryFactoryBeanSupport;
import org.springframework.transaction.interceptor.TransactionAttributeSource;
import org.springframework.transaction.interceptor.TransactionInterceptor;

/**
 * Puts {@link ReadOnlyRerun} around Spring Data repositories' read-only methods (the base class's read
 * methods, {@code @Transactional(readOnly = true)} on the interface): first in each repository's own proxy,
 * outside the transaction interceptor Spring Data adds there, and reading the read-only flag from it.
 */
final class RepositoryRerun implements BeanPostProcessor, PriorityOrdered {

    private final Function<ReadOnlyRerun.TransactionAttributeSourceLookup, ReadOnlyRerun> reruns;

    RepositoryRerun(Function<ReadOnlyRerun.TransactionAttributeSourceLookup, ReadOnlyRerun> reruns) {
        this.reruns = reruns;
    }

    @Override
    public Object postProcessBeforeInitialization(Object bean, String beanName) {
        if (bean instanceof RepositoryFactoryBeanSupport<?, ?, ?> repositories) {
            repositories.addRepositoryFactoryCustomizer(factory -> factory.addRepositoryProxyPostProcessor(
                    (proxy, information) -> proxy.addAdvice(0, reruns.apply(() -> attributesOf(proxy)))));
        }
        return bean;
    }

    /** The transaction attributes of the repository's own transaction interceptor, or null without one. */
    private static TransactionAttributeSource attributesOf(ProxyFactory proxy) {
        for (Advisor advisor : proxy.getAdvisors()) {
            if (advisor.getAdvice() instanceof TransactionInterceptor transactions) {
                return transactions.getTransactionAttributeSource();
            }
        }
        return null;
    }

    /**
     * Made before the auto-proxy creator, so that making it does not look up the advisors (Spring's
     * transaction advisor may be in creation then); it needs nothing but lazy lookups.
     */
    @Override
    public int getOrder() {
        return LOWEST_PRECEDENCE;
    }
}
