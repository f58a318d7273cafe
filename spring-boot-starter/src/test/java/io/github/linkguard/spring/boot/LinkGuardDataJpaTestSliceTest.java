package io.github.linkguard.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.linkguard.LinkGuardDataSource;
import jakarta.persistence.EntityManager;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.data.jpa.test.autoconfigure.DataJpaTest;
import org.springframework.boot.jdbc.test.autoconfigure.AutoConfigureTestDatabase;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The @DataJpaTest slice gets LinkGuard too: JPA runs on the guarded DataSource. */
@DataJpaTest
@AutoConfigureTestDatabase(replace = AutoConfigureTestDatabase.Replace.NONE)
class LinkGuardDataJpaTestSliceTest {

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        SharedDatabase.register(registry);
    }

    @Autowired
    DataSource dataSource;

    @Autowired
    EntityManager entityManager;

    @Test
    void jpaRunsOnTheGuardedDataSource() {
        assertThat(dataSource).isInstanceOf(LinkGuardDataSource.class);
        assertThat(((Number) entityManager.createNativeQuery("SELECT 6 * 7").getSingleResult()).intValue())
                .isEqualTo(42);
    }

    @SpringBootApplication
    static class Application {
    }
}
