package io.github.linkguard.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.github.linkguard.LinkGuardDataSource;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** A Spring Boot application gets LinkGuard from the starter alone, with spring.datasource.* still in charge. */
@SpringBootTest(properties = {"spring.datasource.hikari.maximum-pool-size=3", "spring.datasource.hikari.pool-name=app"})
class LinkGuardSpringBootTest {

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        SharedDatabase.register(registry);
    }

    @Autowired
    DataSource dataSource;

    @Autowired
    JdbcTemplate jdbc;

    @Test
    void theApplicationsDataSourceIsGuardedAndConfiguredBySpringDatasourceProperties() throws Exception {
        assertThat(dataSource).isInstanceOf(LinkGuardDataSource.class);
        assertThat(((LinkGuardDataSource) dataSource).name()).isEqualTo("dataSource");
        HikariDataSource pool = dataSource.unwrap(HikariDataSource.class);
        assertThat(pool.getMaximumPoolSize()).isEqualTo(3);
        assertThat(pool.getPoolName()).isEqualTo("app");
        assertThat(jdbc.queryForObject("SELECT 40 + 2", Integer.class)).isEqualTo(42);
    }

    @SpringBootApplication
    static class Application {
    }
}
