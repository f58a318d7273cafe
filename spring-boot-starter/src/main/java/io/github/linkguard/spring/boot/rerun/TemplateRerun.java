package io.github.linkguard.spring.boot.rerun;

import java.util.function.Function;
import java.util.function.Predicate;
import org.aopalliance.intercept.MethodInvocation;
import org.springframework.aop.framework.ProxyFactory;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.core.PriorityOrdered;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Puts {@link ReadOnlyRerun} around the {@code execute} calls of {@link TransactionTemplate} beans that are
 * read-only when called ({@code setReadOnly(true)}): the callback runs again in a new transaction. Templates
 * made with {@code new} inside the application's code are not beans and are not covered.
 */
final class TemplateRerun implements BeanPostProcessor, PriorityOrdered {

    private final Function<Predicate<MethodInvocation>, ReadOnlyRerun> reruns;

    TemplateRerun(Function<Predicate<MethodInvocation>, ReadOnlyRerun> reruns) {
        this.reruns = reruns;
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        if (!(bean instanceof TransactionTemplate template)) {
            return bean;
        }
        ProxyFactory proxy = new ProxyFactory(template);
        proxy.setProxyTargetClass(true);
        proxy.addAdvice(reruns.apply(invocation -> invocation.getMethod().getName().startsWith("execute")
                && template.isReadOnly() && !ReadOnlyRerun.runOnce(invocation.getMethod(), template.getClass())));
        return proxy.getProxy(template.getClass().getClassLoader());
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
