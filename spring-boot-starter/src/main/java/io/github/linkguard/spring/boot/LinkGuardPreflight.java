package io.github.linkguard.spring.boot;

import io.github.linkguard.LinkGuardDataSource;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationListener;
import org.springframework.context.event.ContextRefreshedEvent;

/**
 * Runs {@link LinkGuardDataSource#preflight()} for every guarded DataSource once the context has started, on a
 * thread of its own so that start-up is not slowed: each finding is logged once at WARN, shown in
 * {@code /actuator/linkguard} and reported as the gauge {@code linkguard.preflight}.
 * {@code linkguard.preflight.enabled=false} turns it off.
 */
public class LinkGuardPreflight implements ApplicationListener<ContextRefreshedEvent> {

    private static final Logger log = LoggerFactory.getLogger(LinkGuardPreflight.class);

    private final ApplicationContext context;
    private final ObjectProvider<DataSource> dataSources;
    private final CompletableFuture<Void> done = new CompletableFuture<>();

    LinkGuardPreflight(ApplicationContext context, ObjectProvider<DataSource> dataSources) {
        this.context = context;
        this.dataSources = dataSources;
    }

    @Override
    public void onApplicationEvent(ContextRefreshedEvent event) {
        if (event.getApplicationContext() != context || done.isDone()) {
            return; // a child context, or refreshed again
        }
        List<LinkGuardDataSource> guarded = dataSources.orderedStream().filter(LinkGuardDataSource.class::isInstance)
                .map(LinkGuardDataSource.class::cast).toList();
        Thread thread = new Thread(() -> {
            try {
                for (LinkGuardDataSource dataSource : guarded) {
                    if (!dataSource.isClosed()) {
                        dataSource.preflight();
                    }
                }
                done.complete(null);
            } catch (RuntimeException e) {
                log.warn("LinkGuard's preflight could not finish", e);
                done.completeExceptionally(e);
            }
        }, "linkguard-preflight");
        thread.setDaemon(true);
        thread.start();
    }

    /** Completes when the preflight of every guarded DataSource has run. */
    public CompletableFuture<Void> done() {
        return done;
    }
}
