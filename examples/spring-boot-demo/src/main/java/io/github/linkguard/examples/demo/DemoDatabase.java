package io.github.linkguard.examples.demo;

import io.github.linkguard.testkit.EmbeddedMariaDb;
import io.github.linkguard.testkit.FaultProxy;
import java.util.Map;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;

/**
 * Without {@code spring.datasource.url}, starts the embedded MariaDB with the short server timeouts the walk
 * needs, puts a fault proxy in front of it and points {@code spring.datasource.*} at the proxy. Both are
 * beans ({@code demoDatabase}, {@code demoProxy}) and stop with the application.
 */
public class DemoDatabase implements ApplicationContextInitializer<ConfigurableApplicationContext> {

    @Override
    public void initialize(ConfigurableApplicationContext context) {
        if (context.getEnvironment().containsProperty("spring.datasource.url")) {
            return;
        }
        EmbeddedMariaDb db = EmbeddedMariaDb.builder()
                .serverVariable("connect_timeout", 2)
                .serverVariable("wait_timeout", 3)
                .serverVariable("net_write_timeout", 2)
                .serverVariable("max_allowed_packet", 1024 * 1024)
                .start();
        db.execute("CREATE TABLE files (id INT PRIMARY KEY AUTO_INCREMENT, content LONGBLOB)",
                "CREATE TABLE big (id INT PRIMARY KEY, payload VARCHAR(1000))",
                "INSERT INTO big SELECT seq, REPEAT('x', 1000) FROM seq_1_to_40000");
        FaultProxy proxy = FaultProxy.start(db.host(), db.port());
        context.getEnvironment().getPropertySources().addFirst(new MapPropertySource("demoDatabase", Map.of(
                // Connector/J lets streamed results wait 600 s unless told not to: the walk shows the server's limit
                "spring.datasource.url", EmbeddedMariaDb.jdbcUrl(proxy.host(), proxy.port())
                        + "&netTimeoutForStreamingResults=0",
                "spring.datasource.username", db.user(),
                "spring.datasource.password", db.password())));
        context.getBeanFactory().registerSingleton("demoDatabase", db);
        context.getBeanFactory().registerSingleton("demoProxy", proxy);
        context.addApplicationListener(event -> {
            if (event instanceof org.springframework.context.event.ContextClosedEvent) {
                proxy.close();
                db.close();
            }
        });
    }
}
