package io.github.linkguard.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.github.linkguard.LinkGuardDataSource;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.jdbc.test.autoconfigure.AutoConfigureTestDatabase;
import org.springframework.boot.jdbc.test.autoconfigure.JdbcTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The @JdbcTest slice gets LinkGuard too, in front of the real database. */
@JdbcTest
@AutoConfigureTestDatabase(replace = AutoConfigureTestDatabase.Replace.NONE)
class LinkGuardJdbcTestSliceTest {

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        SharedDatabase.register(registry);
    }

    @Autowired
    DataSource dataSource;

    @Autowired
    JdbcTemplate jdbc;

    @Test
    void theSlicesDataSourceIsGuarded() throws Exception {
        assertThat(dataSource).isInstanceOf(LinkGuardDataSource.class);
        assertThat(dataSource.unwrap(HikariDataSource.class)).isNotNull();
        assertThat(jdbc.queryForObject("SELECT 1", Integer.class)).isEqualTo(1);
    }

    @SpringBootApplication
    static class Application {
    }
}
