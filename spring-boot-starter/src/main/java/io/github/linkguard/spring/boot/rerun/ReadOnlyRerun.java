package io.github.linkguard.spring.boot.rerun;

import io.github.linkguard.Cause;
import io.github.linkguard.Diagnosis;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.lang.reflect.Method;
import java.sql.SQLException;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.aop.ProxyMethodInvocation;
import org.springframework.aop.support.AopUtils;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.transaction.interceptor.TransactionAttribute;
import org.springframework.transaction.interceptor.TransactionAttributeSource;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.util.ClassUtils;

/**
 * Runs a read-only unit of work again when LinkGuard lost its link and could not make the loss invisible
 * itself: the replay saw other data under REPEATABLE READ ({@code 40001}), or the transaction was not
 * replayable (over its bounds, ...). Only the layer that began the unit of work can run it again from its
 * start with a fresh snapshot, and for a read-only one that is as good as the first run: nothing was
 * written. It acts around the outermost transactional call only (a call inside a running transaction
 * belongs to the caller's unit of work), at most {@code maxReruns} times, and only for failures LinkGuard
 * diagnosed as a lost link whose cause a fresh link can cure: never for the application's own deadlocks,
 * lock waits or errors, never after a write's unknown outcome ({@code 08007}), never for a packet over
 * {@code max_allowed_packet} or a slow server. Each re-run is counted in {@code linkguard.reruns} and logged
 * at DEBUG by the {@code io.github.linkguard.LinkGuard} logger.
 */
public final class ReadOnlyRerun implements MethodInterceptor {

    /** The counter of re-runs; tags {@code datasource}, {@code cause}, {@code outcome}. */
    public static final String METER = "linkguard.reruns";

    private static final Logger LOG = LoggerFactory.getLogger("io.github.linkguard.LinkGuard");

    /** Lost links a fresh link cures: not a packet too large, a slow server, a connect that failed. */
    private static final Set<Cause> CURABLE = Set.of(Cause.NETWORK, Cause.SERVER_RESTART, Cause.CONNECTION_KILLED,
            Cause.IDLE_TIMEOUT, Cause.TRANSFER_TIMEOUT);

    private final Predicate<MethodInvocation> readOnly;
    private final IntSupplier maxReruns;
    private final Supplier<MeterRegistry> registry;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();

    /**
     * @param readOnly whether an invocation is a read-only unit of work (and not marked {@link RunOnce})
     * @param maxReruns how many times one call may run again (read after a lost link only)
     * @param registry where {@link #METER} goes (null for none), looked up after a lost link only
     */
    ReadOnlyRerun(Predicate<MethodInvocation> readOnly, IntSupplier maxReruns, Supplier<MeterRegistry> registry) {
        this.readOnly = readOnly;
        this.maxReruns = maxReruns;
        this.registry = registry;
    }

    /**
     * Read-only where {@code attributes} say the method's transaction is read-only, and not {@link RunOnce}:
     * for the methods of one target class (a repository's), decided once per method.
     */
    static Predicate<MethodInvocation> declaredReadOnly(TransactionAttributeSourceLookup attributes) {
        Map<Method, Boolean> decided = new ConcurrentHashMap<>();
        return invocation -> decided.computeIfAbsent(invocation.getMethod(), method -> {
            Class<?> target = invocation.getThis() == null ? method.getDeclaringClass()
                    : AopUtils.getTargetClass(invocation.getThis());
            TransactionAttributeSource source = attributes.source();
            TransactionAttribute attribute = source == null ? null : source.getTransactionAttribute(method, target);
            return attribute != null && attribute.isReadOnly() && !runOnce(method, target);
        });
    }

    /** Whether the method, the class it runs on, or the method's declaration is marked {@link RunOnce}. */
    static boolean runOnce(Method method, Class<?> target) {
        Method specific = ClassUtils.getMostSpecificMethod(method, target);
        return AnnotatedElementUtils.hasAnnotation(specific, RunOnce.class)
                || AnnotatedElementUtils.hasAnnotation(method, RunOnce.class)
                || AnnotatedElementUtils.hasAnnotation(target, RunOnce.class)
                || AnnotatedElementUtils.hasAnnotation(method.getDeclaringClass(), RunOnce.class);
    }

    /** Finds the transaction attributes that apply, when first needed. */
    @FunctionalInterface
    interface TransactionAttributeSourceLookup {
        /** The source, or null if there is none. */
        TransactionAttributeSource source();
    }

    @Override
    public Object invoke(MethodInvocation invocation) throws Throwable {
        if (!(invocation instanceof ProxyMethodInvocation pristine)
                || TransactionSynchronizationManager.isActualTransactionActive() || !readOnly.test(invocation)) {
            return invocation.proceed();
        }
        Diagnosis rerunFor = null;
        for (int rerun = 0;; rerun++) {
            try {
                Object result = pristine.invocableClone().proceed(); // the chain from here, transaction included
                if (rerunFor != null) {
                    count(rerunFor, "recovered");
                }
                return result;
            } catch (Throwable failure) {
                if (rerunFor != null) {
                    count(rerunFor, "failed");
                }
                Diagnosis lost = curableLoss(failure).orElse(null);
                if (lost == null || rerun >= maxReruns.getAsInt()) {
                    throw failure;
                }
                if (LOG.isDebugEnabled()) {
                    LOG.debug("Running the read-only {} again ({} of at most {}): its link was lost ({}) and the loss "
                            + "could not be hidden: {}", describe(invocation), rerun + 1, maxReruns.getAsInt(), lost.cause().id(),
                            failure.toString());
                }
                rerunFor = lost;
            }
        }
    }

    /**
     * The lost link behind {@code failure} if a read-only unit of work may run again for it: LinkGuard
     * diagnosed it, a fresh link cures its cause, and no write's outcome is unknown.
     */
    static Optional<Diagnosis> curableLoss(Throwable failure) {
        for (Throwable each = failure; each != null; each = each.getCause()) {
            if (each instanceof SQLException sql && "08007".equals(sql.getSQLState())) {
                return Optional.empty(); // a write may have happened: never again
            }
        }
        return Diagnosis.of(failure).filter(diagnosis -> diagnosis.dataSource() != null)
                .filter(diagnosis -> CURABLE.contains(diagnosis.cause()));
    }

    private void count(Diagnosis lost, String outcome) {
        MeterRegistry registry = this.registry.get();
        if (registry == null) {
            return;
        }
        String dataSource = lost.dataSource();
        String key = dataSource + '\0' + lost.cause().id() + '\0' + outcome;
        counters.computeIfAbsent(key, k -> Counter.builder(METER)
                .description("Read-only units of work run again after a lost link that LinkGuard could not hide")
                .tag("datasource", dataSource).tag("cause", lost.cause().id()).tag("outcome", outcome)
                .register(registry)).increment();
    }

    private static String describe(MethodInvocation invocation) {
        Method method = invocation.getMethod();
        return ClassUtils.getShortName(method.getDeclaringClass()) + "." + method.getName();
    }
}
