package io.github.linkguard.testkit.spring;

import io.github.linkguard.testkit.EmbeddedMariaDb;
import java.util.Map;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.core.env.MapPropertySource;

/**
 * Gives a Spring Boot application a database of its own when none is configured: without
 * {@code spring.datasource.url}, starts an embedded MariaDB, points {@code spring.datasource.*} at it with TLS
 * on (as in production), registers it as the bean {@code embeddedMariaDb} (for tests that kill its sessions or
 * restart it) and stops it with the application. Register it in {@code META-INF/spring.factories} under
 * {@code org.springframework.context.ApplicationContextInitializer}, or with
 * {@code SpringApplication.addInitializers}. Needs {@code spring-context} on the class path.
 */
public class EmbeddedMariaDbInitializer implements ApplicationContextInitializer<ConfigurableApplicationContext> {

    /** The name of the bean that holds the server. */
    public static final String BEAN = "embeddedMariaDb";

    @Override
    public void initialize(ConfigurableApplicationContext context) {
        if (context.getEnvironment().containsProperty("spring.datasource.url")) {
            return;
        }
        EmbeddedMariaDb db = EmbeddedMariaDb.builder().start();
        context.getEnvironment().getPropertySources().addFirst(new MapPropertySource(BEAN, Map.of(
                "spring.datasource.url", db.jdbcUrl().replace("sslMode=DISABLED", "sslMode=REQUIRED"),
                "spring.datasource.username", db.user(),
                "spring.datasource.password", db.password())));
        context.getBeanFactory().registerSingleton(BEAN, db);
        context.addApplicationListener(event -> {
            if (event instanceof ContextClosedEvent) {
                db.close();
            }
        });
    }
}
