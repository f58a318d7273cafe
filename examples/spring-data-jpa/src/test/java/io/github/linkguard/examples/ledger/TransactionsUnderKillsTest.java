package io.github.linkguard.examples.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.linkguard.testkit.EmbeddedMariaDb;
import io.github.linkguard.testkit.SessionKiller;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Spring's own ways into transactions, under every session killed every 300 ms: read-only
 * {@code TransactionTemplate}s of JDBC reads, Spring Data JPA repository calls, and read-write transfers
 * through the {@code @Transactional} service. No read fails (the reads go to accounts the transfers leave
 * alone, and to the total, which transfers keep: a read whose rows changed between the loss and the replay
 * rightly fails with 40001); a transfer may fail only where its replay saw other data (40001, the accounts are
 * contended): never with 08007, as a COMMIT lost with its link is resolved. The ledger's total holds. It runs at
 * least 8 s and until enough was done (bounded: the figures do not depend on the machine's speed). Hibernate
 * sends each transfer's writes as JDBC batches (its own count of them says so), and lost COMMITs of transfers
 * are replayed: transactions that ran batches are replayed.
 */
@SpringBootTest(properties = JdbcBatches.PROPERTY)
class TransactionsUnderKillsTest {

    /** A registry for LinkGuard's meters (the example has no actuator). */
    @TestConfiguration
    static class Meters {
        @Bean
        SimpleMeterRegistry meterRegistry() {
            return new SimpleMeterRegistry();
        }
    }

    /** Accounts 1 to 10 take transfers; 11 to 20 are only read. */
    private static final int ACCOUNTS = 10;
    private static final long BALANCE = 1_000;

    @Autowired
    LedgerService ledger;

    @Autowired
    AccountRepository accounts;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    PlatformTransactionManager transactions;

    @Autowired
    EmbeddedMariaDb embeddedMariaDb;

    @Autowired
    MeterRegistry meters;

    @BeforeEach
    void open() {
        ledger.open(2 * ACCOUNTS, BALANCE);
    }

    @Test
    void noReadAndNoUnexplainedWriteFailsWhileEverySessionIsKilledEvery300ms() throws Exception {
        TransactionTemplate readOnly = new TransactionTemplate(transactions);
        readOnly.setReadOnly(true);
        long total = ledger.total();
        long batchesBefore = JdbcBatches.executed();
        double replayedBefore = commitsReplayed();
        AtomicInteger done = new AtomicInteger();
        AtomicInteger writesDone = new AtomicInteger();
        Map<String, AtomicInteger> failures = new ConcurrentHashMap<>();
        Map<String, String> firstMessages = new ConcurrentHashMap<>();
        long start = System.nanoTime();
        AtomicLong deadline = new AtomicLong(start + Duration.ofSeconds(90).toNanos());
        ExecutorService workers = Executors.newFixedThreadPool(6);
        try (SessionKiller killer = SessionKiller.every(embeddedMariaDb, Duration.ofMillis(300))) {
            List<Future<?>> running = List.of(
                    workers.submit(() -> work(deadline, done, failures, firstMessages, "template", () -> readOnly.executeWithoutResult(
                            status -> {
                                for (int i = 0; i < 3; i++) {
                                    jdbc.queryForObject("SELECT balance FROM account WHERE id = ?", Long.class, aReadAccount());
                                }
                            }))),
                    workers.submit(() -> work(deadline, done, failures, firstMessages, "template", () -> readOnly.executeWithoutResult(
                            status -> accounts.findAllById(List.of(aReadAccount(), aReadAccount()))))),
                    workers.submit(() -> work(deadline, done, failures, firstMessages, "repository", () -> accounts.findById(aReadAccount()))),
                    workers.submit(() -> work(deadline, done, failures, firstMessages, "repository", accounts::total)),
                    workers.submit(() -> work(deadline, writesDone, failures, firstMessages, "transfer", () -> transfer("t-"))),
                    workers.submit(() -> work(deadline, writesDone, failures, firstMessages, "transfer", () -> transfer("u-"))));
            while (System.nanoTime() - start < Duration.ofSeconds(8).toNanos()
                    || (done.get() <= 100 || writesDone.get() <= 20 || killer.kills() <= 20
                            || commitsReplayed() == replayedBefore)
                    && System.nanoTime() < deadline.get()) {
                Thread.sleep(100);
            }
            deadline.set(System.nanoTime());
            for (Future<?> worker : running) {
                worker.get();
            }
            assertThat(killer.kills()).as("sessions killed").isGreaterThan(20);
        } finally {
            workers.shutdownNow();
        }

        System.out.println("TransactionsUnderKillsTest: " + done + " reads, " + writesDone + " transfers; failures: " + failures);
        assertThat(failures.keySet()).as("failures by kind and SQLState: " + failures + "; the first of each: "
                + firstMessages)
                .allMatch(kind -> kind.equals("transfer 40001"));
        assertThat(done.get()).as("reads done").isGreaterThan(100);
        assertThat(writesDone.get()).as("transfers done").isGreaterThan(20);
        assertThat(ledger.total()).isEqualTo(total);
        // each transfer flushes its two account updates as a JDBC batch, before its COMMIT
        assertThat(JdbcBatches.executed() - batchesBefore).as("JDBC batches Hibernate executed")
                .isGreaterThanOrEqualTo(writesDone.get());
        assertThat(commitsReplayed() - replayedBefore).as("lost COMMITs of transfers replayed, batches included")
                .isPositive();
    }

    private double commitsReplayed() {
        Counter replayed = meters.find("linkguard.commit.outcomes").tag("outcome", "replayed").counter();
        return replayed == null ? 0 : replayed.count();
    }

    /** A transfer of 1 to 10 between two accounts: its two updates go as one JDBC batch. */
    private void transfer(String prefix) {
        long from = anAccount();
        long to = 1 + (from + ThreadLocalRandom.current().nextInt(ACCOUNTS - 1)) % ACCOUNTS;
        ledger.transfer(prefix + System.nanoTime() + "-" + ThreadLocalRandom.current().nextInt(), from, to,
                1 + ThreadLocalRandom.current().nextInt(10));
    }

    private static long anAccount() {
        return 1 + ThreadLocalRandom.current().nextInt(ACCOUNTS);
    }

    private static long aReadAccount() {
        return ACCOUNTS + anAccount();
    }

    private static void work(AtomicLong deadline, AtomicInteger done, Map<String, AtomicInteger> failures,
            Map<String, String> firstMessages, String kind, Runnable call) {
        while (System.nanoTime() < deadline.get()) {
            try {
                call.run();
                done.incrementAndGet();
            } catch (RuntimeException e) {
                String failure = kind + " " + Failures.stateOf(e);
                failures.computeIfAbsent(failure, k -> new AtomicInteger()).incrementAndGet();
                firstMessages.putIfAbsent(failure, Failures.messageOf(e));
            }
        }
    }
}
