package io.github.linkguard.spring.boot.rerun;

import java.lang.reflect.Method;
import java.util.function.IntSupplier;
import org.aopalliance.aop.Advice;
import org.springframework.aop.ClassFilter;
import org.springframework.aop.Pointcut;
import org.springframework.aop.support.AbstractPointcutAdvisor;
import org.springframework.aop.support.StaticMethodMatcherPointcut;
import org.springframework.transaction.TransactionManager;
import org.springframework.transaction.interceptor.TransactionAttribute;
import org.springframework.transaction.interceptor.TransactionAttributeSource;
import org.springframework.transaction.interceptor.TransactionalProxy;

/**
 * Puts {@link ReadOnlyRerun} around the application's {@code @Transactional(readOnly = true)} methods, just
 * outside Spring's transaction interceptor, so that a re-run begins a new transaction. Spring Data
 * repositories, which carry their own transaction interceptor, are left to {@link RepositoryRerun}.
 */
final class ReadOnlyRerunAdvisor extends AbstractPointcutAdvisor {

    private static final long serialVersionUID = 1L;

    private final transient TransactionAttributeSource attributes;
    private final transient ReadOnlyRerun rerun;
    private final transient IntSupplier transactionOrder;

    /**
     * @param transactionOrder the order of Spring's transaction advisor, read when the advisors are sorted
     */
    ReadOnlyRerunAdvisor(TransactionAttributeSource attributes, ReadOnlyRerun rerun,
            IntSupplier transactionOrder) {
        this.attributes = attributes;
        this.rerun = rerun;
        this.transactionOrder = transactionOrder;
    }

    /** Just before (outside) Spring's transaction advisor. */
    @Override
    public int getOrder() {
        int order = transactionOrder.getAsInt();
        return order == Integer.MIN_VALUE ? order : order - 1;
    }

    @Override
    public Advice getAdvice() {
        return rerun;
    }

    @Override
    public Pointcut getPointcut() {
        return new StaticMethodMatcherPointcut() {
            {
                setClassFilter(ReadOnlyRerunAdvisor::mayBeTransactional);
            }

            @Override
            public boolean matches(Method method, Class<?> targetClass) {
                TransactionAttribute attribute = attributes.getTransactionAttribute(method, targetClass);
                return attribute != null && attribute.isReadOnly() && !ReadOnlyRerun.runOnce(method, targetClass);
            }
        };
    }

    /** As Spring's own transaction advisor: not its proxies' own transaction managers and repositories. */
    private static boolean mayBeTransactional(Class<?> type) {
        return !TransactionalProxy.class.isAssignableFrom(type) && !TransactionManager.class.isAssignableFrom(type);
    }

    @Override
    public boolean equals(Object other) {
        return this == other;
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(this);
    }
}
