package io.github.linkguard.examples.demo;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A small Spring Boot service on LinkGuard. Without {@code spring.datasource.url} it starts an embedded
 * MariaDB behind a fault-injecting proxy, walks through the lost-link failures of the MySQL manual for
 * real and prints what LinkGuard made of each; then it keeps serving {@code /actuator/prometheus},
 * {@code /actuator/health} and {@code /actuator/linkguard} (or exits, with
 * {@code demo.exit-after-walk=true}).
 */
@SpringBootApplication
public class DemoApplication {

    public static void main(String[] args) {
        SpringApplication.run(DemoApplication.class, args);
    }
}
