package io.github.linkguard.spring.boot;

import io.github.linkguard.testkit.EmbeddedMariaDb;
import org.springframework.test.context.DynamicPropertyRegistry;

/** Points {@code spring.datasource.*} at the JVM's shared embedded MariaDB, for Spring tests. */
final class SharedDatabase {

    private SharedDatabase() {
    }

    static void register(DynamicPropertyRegistry registry) {
        EmbeddedMariaDb db = EmbeddedMariaDb.shared();
        registry.add("spring.datasource.url", db::jdbcUrl);
        registry.add("spring.datasource.username", db::user);
        registry.add("spring.datasource.password", db::password);
    }
}
