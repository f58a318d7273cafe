package io.github.linkguard.examples.ledger;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A small ledger served over HTTP: accounts and transfers in MariaDB through Spring Data JPA and Hibernate,
 * every call a {@code @Transactional} service method, with nothing of LinkGuard in the code but the starter
 * on the classpath. Without {@code spring.datasource.url} it starts its own embedded MariaDB.
 */
@SpringBootApplication
public class LedgerApplication {

    public static void main(String[] args) {
        SpringApplication.run(LedgerApplication.class, args);
    }
}
