package io.github.linkguard.spring.boot;

import io.github.linkguard.LinkGuardDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.springframework.aop.scope.ScopedProxyUtils;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.DestructionAwareBeanPostProcessor;
import org.springframework.core.Ordered;

/**
 * Wraps every DataSource bean in a {@link LinkGuardDataSource} once it is initialized, so that
 * {@code spring.datasource.*} keeps configuring the pool underneath. Opens no connection; its
 * collaborators are looked up only when the first DataSource is wrapped. Skips scoped targets, beans named
 * in {@code linkguard.exclude}, and DataSources already guarded. When the context closes, each wrapper
 * stops its helpers just before Spring closes the pool (Spring destroys the bean it made, not the wrapper).
 */
public class LinkGuardDataSourceWrapper implements DestructionAwareBeanPostProcessor, Ordered {

    /** The wrappers made, by the DataSource they wrap (identity: a pool is one object). */
    private final Map<Object, LinkGuardDataSource> wrappers = Collections.synchronizedMap(new IdentityHashMap<>());

    private final ObjectProvider<LinkGuardProperties> properties;
    private final ObjectProvider<MeterRegistry> meterRegistry;
    private final ObjectProvider<LinkGuardDataSourceCustomizer> customizers;

    /** Collaborators are resolved lazily, at the first DataSource. */
    public LinkGuardDataSourceWrapper(ObjectProvider<LinkGuardProperties> properties,
            ObjectProvider<MeterRegistry> meterRegistry, ObjectProvider<LinkGuardDataSourceCustomizer> customizers) {
        this.properties = properties;
        this.meterRegistry = meterRegistry;
        this.customizers = customizers;
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        if (!(bean instanceof DataSource) || bean instanceof LinkGuardDataSource
                || ScopedProxyUtils.isScopedTarget(beanName)) {
            return bean;
        }
        LinkGuardProperties settings = properties.getObject();
        if (settings.getExclude().contains(beanName)) {
            return bean;
        }
        LinkGuardProperties.Retry retry = settings.getRetry();
        LinkGuardDataSource.Builder builder = LinkGuardDataSource.builder((DataSource) bean)
                .name(beanName)
                .connectTimeout(settings.getConnectTimeout())
                .probeTimeout(settings.getProbeTimeout())
                .maxAttempts(retry.getMaxAttempts())
                .initialInterval(retry.getInitialInterval())
                .multiplier(retry.getMultiplier())
                .maxInterval(retry.getMaxInterval())
                .retryBudget(retry.getBudget())
                .retryBudgetRatio(retry.getBudgetRatio())
                .retryBudgetMinimum(retry.getBudgetMinimum())
                .reconnectInterval(retry.getReconnectInterval())
                .servers(settings.getFailover().getServers().getOrDefault(beanName, List.of()))
                .sessionTracking(settings.getSession().isTracking())
                .transactionReplay(settings.getReplay().isEnabled())
                .commitOutcome(settings.getCommitOutcome().isEnabled())
                .commitOutcomeTable(settings.getCommitOutcome().getTable())
                .commitOutcomeAutoCommitWrites(settings.getCommitOutcome().isAutoCommitWrites())
                .remediation(settings.getRemediation().isEnabled())
                .skipRemedies(settings.getRemediation().getSkip())
                .replayBounds(settings.getReplay().getMaxStatements(), settings.getReplay().getMaxSize().toBytes())
                .closesDelegate(false); // the context closes the pool itself
        meterRegistry.ifAvailable(builder::meterRegistry);
        customizers.orderedStream().forEach(customizer -> customizer.customize(beanName, builder));
        LinkGuardDataSource wrapper = builder.build();
        wrappers.put(bean, wrapper);
        return wrapper;
    }

    @Override
    public boolean requiresDestruction(Object bean) {
        return wrappers.containsKey(bean);
    }

    @Override
    public void postProcessBeforeDestruction(Object bean, String beanName) {
        LinkGuardDataSource wrapper = wrappers.remove(bean);
        if (wrapper != null) {
            wrapper.close();
        }
    }

    /** Late, after other post-processors have finished with the pool. */
    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE - 10;
    }
}
