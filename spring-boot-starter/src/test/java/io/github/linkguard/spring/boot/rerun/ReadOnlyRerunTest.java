package io.github.linkguard.spring.boot.rerun;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.linkguard.testkit.EmbeddedMariaDb;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Lazy;
import org.springframework.dao.ConcurrencyFailureException;
import org.springframework.dao.PessimisticLockingFailureException;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.config.EnableJpaRepositories;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Read-only units of work run again from their start when their link was lost and the replay could not hide
 * it (issue 19): under REPEATABLE READ a listing whose first query's rows another client changed between the
 * loss and the replay fails the replay with 40001, and the unit runs again. A {@code @Transactional(readOnly =
 * true)} method, a Spring Data repository's read method and a read-only {@code TransactionTemplate} bean run
 * again; a method marked {@link RunOnce}, a read-write one, a call inside a running transaction and the
 * application's own lock wait do not.
 */
@SpringBootTest(properties = {"spring.datasource.hikari.maximum-pool-size=3", "spring.jpa.hibernate.ddl-auto=none",
    "spring.jpa.open-in-view=false"})
@Timeout(120)
class ReadOnlyRerunTest {

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        EmbeddedMariaDb db = EmbeddedMariaDb.shared();
        db.execute("CREATE TABLE IF NOT EXISTS rerun_item (id INT PRIMARY KEY, v INT NOT NULL) ENGINE=InnoDB");
        registry.add("spring.datasource.url", db::jdbcUrl);
        registry.add("spring.datasource.username", db::user);
        registry.add("spring.datasource.password", db::password);
    }

    /** A row of the listing. */
    @Entity
    @Table(name = "rerun_item")
    public static class Item {
        @Id
        Integer id;
        int v;
    }

    /** Spring Data's read methods run in read-only transactions of the repository's own. */
    public interface Items extends JpaRepository<Item, Integer> {

        /** A read method of the repository: the list, then how many there are. */
        @Transactional(readOnly = true)
        default long listing(Saboteur saboteur, JdbcTemplate jdbc, AtomicInteger calls) {
            calls.incrementAndGet();
            long sum = findAll().stream().mapToLong(item -> item.v).sum();
            saboteur.strike(jdbc);
            return sum + count();
        }
    }

    /**
     * Loses the link of the running transaction once, when armed: kills its own session, then another client
     * changes the rows the transaction read, then the next statement finds the link lost.
     */
    static final class Saboteur {
        final AtomicBoolean armed = new AtomicBoolean();

        void strike(JdbcTemplate jdbc) {
            if (armed.compareAndSet(true, false)) {
                long session = jdbc.queryForObject("SELECT CONNECTION_ID()", Long.class);
                EmbeddedMariaDb db = EmbeddedMariaDb.shared();
                db.execute("KILL CONNECTION " + session);
                db.execute("UPDATE test.rerun_item SET v = v + 1 WHERE id = 1");
            }
        }
    }

    /** The application's service (a bean of the test's application: tests' nested classes are not scanned). */
    static class Listing {
        final AtomicInteger calls = new AtomicInteger();
        final JdbcTemplate jdbc;
        final Saboteur saboteur;
        final Listing self;

        Listing(JdbcTemplate jdbc, Saboteur saboteur, @Lazy Listing self) {
            this.jdbc = jdbc;
            this.saboteur = saboteur;
            this.self = self;
        }

        /** How many times a unit of work of this service began (fields of a proxied bean: read through it). */
        public AtomicInteger calls() {
            return calls;
        }

        /** The list, then its first item again: one query at a time, as a REST listing does. */
        private int list() {
            calls.incrementAndGet();
            int sum = jdbc.queryForObject("SELECT SUM(v) FROM rerun_item", Integer.class);
            saboteur.strike(jdbc);
            return sum + jdbc.queryForObject("SELECT v FROM rerun_item WHERE id = 1", Integer.class);
        }

        @Transactional(readOnly = true)
        public int readOnly() {
            return list();
        }

        @Transactional(readOnly = true)
        @RunOnce
        public int readOnlyRunOnce() {
            return list();
        }

        @Transactional
        public int readWrite() {
            return list();
        }

        @Transactional(readOnly = true)
        public int outer() {
            return self.readOnly() + 0;
        }

        /** Waits for a row lock another client holds: the application's own failure. */
        @Transactional(readOnly = true)
        public int waitsForALock() {
            calls.incrementAndGet();
            jdbc.execute("SET SESSION innodb_lock_wait_timeout = 1");
            return jdbc.queryForObject("SELECT v FROM rerun_item WHERE id = 1 LOCK IN SHARE MODE", Integer.class);
        }

    }

    @SpringBootApplication
    @EnableJpaRepositories(considerNestedRepositories = true)
    static class Application {
        @Bean
        Saboteur saboteur() {
            return new Saboteur();
        }

        @Bean
        Listing listing(JdbcTemplate jdbc, Saboteur saboteur, @Lazy Listing self) {
            return new Listing(jdbc, saboteur, self);
        }

        @Bean
        MeterRegistry meterRegistry() {
            return new SimpleMeterRegistry();
        }

        @Bean
        TransactionTemplate readOnlyTemplate(PlatformTransactionManager transactions) {
            TransactionTemplate template = new TransactionTemplate(transactions);
            template.setReadOnly(true);
            return template;
        }
    }

    @Autowired
    Listing listing;

    @Autowired
    Saboteur saboteur;

    @Autowired
    MeterRegistry registry;

    @Autowired
    TransactionTemplate readOnlyTemplate;

    @Autowired
    JdbcTemplate jdbc;

    @BeforeEach
    void fill() {
        EmbeddedMariaDb.shared().execute("DELETE FROM test.rerun_item", "INSERT INTO test.rerun_item VALUES (1, 10), (2, 20)");
        listing.calls().set(0);
    }

    private double reruns(String outcome) {
        return registry.find(ReadOnlyRerun.METER).tag("outcome", outcome).counters().stream()
                .mapToDouble(c -> c.count()).sum();
    }

    @Test
    void aReadOnlyMethodRunsAgainAfterALossTheReplayCouldNotHide() {
        double before = reruns("recovered");
        saboteur.armed.set(true);
        assertThat(listing.readOnly()).isEqualTo(31 + 11); // the second run, on the changed data, whole
        assertThat(listing.calls()).hasValue(2);
        assertThat(reruns("recovered")).isEqualTo(before + 1);
        assertThat(registry.find(ReadOnlyRerun.METER).tag("datasource", "dataSource").counters()).isNotEmpty();
    }

    @Test
    void aMethodMarkedRunOnceDoesNot() {
        saboteur.armed.set(true);
        assertThatThrownBy(listing::readOnlyRunOnce).isInstanceOf(ConcurrencyFailureException.class)
                .hasMessageContaining("did not see the same data");
        assertThat(listing.calls()).hasValue(1);
    }

    @Test
    void aReadWriteMethodDoesNot() {
        saboteur.armed.set(true);
        assertThatThrownBy(listing::readWrite).isInstanceOf(ConcurrencyFailureException.class);
        assertThat(listing.calls()).hasValue(1);
    }

    @Test
    void onlyTheOutermostTransactionalCallRunsAgain() {
        double before = reruns("recovered");
        saboteur.armed.set(true);
        assertThat(listing.outer()).isEqualTo(42);
        assertThat(listing.calls()).hasValue(2); // the outer unit ran again once, the inner one with it
        assertThat(reruns("recovered")).isEqualTo(before + 1);
    }

    @Test
    void theApplicationsOwnLockWaitDoesNot() throws Exception {
        EmbeddedMariaDb db = EmbeddedMariaDb.shared();
        try (Connection holder = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password())) {
            holder.setAutoCommit(false);
            try (Statement lock = holder.createStatement()) {
                lock.executeQuery("SELECT v FROM rerun_item WHERE id = 1 FOR UPDATE").close();
            }
            assertThatThrownBy(listing::waitsForALock).isInstanceOf(PessimisticLockingFailureException.class)
                    .hasMessageContaining("Lock wait timeout");
            holder.rollback();
        }
        assertThat(listing.calls()).hasValue(1);
    }

    @Autowired
    Items items;

    @Test
    void aRepositorysReadMethodRunsAgain() {
        double before = reruns("recovered");
        AtomicInteger calls = new AtomicInteger();
        saboteur.armed.set(true);
        assertThat(items.listing(saboteur, jdbc, calls)).isEqualTo(31 + 2);
        assertThat(calls).hasValue(2);
        assertThat(reruns("recovered")).isEqualTo(before + 1);
    }

    @Test
    void aReadOnlyTemplateRunsItsCallbackAgain() {
        AtomicInteger runs = new AtomicInteger();
        saboteur.armed.set(true);
        Integer sum = readOnlyTemplate.execute(status -> {
            runs.incrementAndGet();
            int all = jdbc.queryForObject("SELECT SUM(v) FROM rerun_item", Integer.class);
            saboteur.strike(jdbc);
            return all + jdbc.queryForObject("SELECT v FROM rerun_item WHERE id = 1", Integer.class);
        });
        assertThat(sum).isEqualTo(42);
        assertThat(runs).hasValue(2);
    }
}
