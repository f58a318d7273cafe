package io.github.linkguard.examples.listings;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A small library catalogue served over HTTP on {@code JdbcTemplate}: shelves, their books and the books'
 * reviews, each listing a {@code @Transactional(readOnly = true)} service method that loads the list and then
 * the children one query at a time (1 + N + M statements), as many REST services do. Nothing of LinkGuard
 * in the code but the starter on the classpath. Without {@code spring.datasource.url} it starts its own
 * embedded MariaDB.
 */
@SpringBootApplication
public class ListingsApplication {

    public static void main(String[] args) {
        SpringApplication.run(ListingsApplication.class, args);
    }
}
