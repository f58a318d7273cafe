package io.github.linkguard.examples.listings;

import io.github.linkguard.testkit.EmbeddedMariaDb;
import java.util.Map;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.core.env.MapPropertySource;

/**
 * Without {@code spring.datasource.url}, starts an embedded MariaDB (a bean, {@code listingsDatabase},
 * stopped with the application) and points {@code spring.datasource.*} at it, TLS on as in production.
 */
public class ListingsDatabase implements ApplicationContextInitializer<ConfigurableApplicationContext> {

    @Override
    public void initialize(ConfigurableApplicationContext context) {
        if (context.getEnvironment().containsProperty("spring.datasource.url")) {
            return;
        }
        EmbeddedMariaDb db = EmbeddedMariaDb.builder().start();
        context.getEnvironment().getPropertySources().addFirst(new MapPropertySource("listingsDatabase", Map.of(
                "spring.datasource.url", db.jdbcUrl().replace("sslMode=DISABLED", "sslMode=REQUIRED"),
                "spring.datasource.username", db.user(),
                "spring.datasource.password", db.password())));
        context.getBeanFactory().registerSingleton("listingsDatabase", db);
        context.addApplicationListener(event -> {
            if (event instanceof ContextClosedEvent) {
                db.close();
            }
        });
    }
}
