package io.github.linkguard.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.linkguard.benchmarks.jmh.HappyPathRun;
import io.github.linkguard.benchmarks.load.LoopbackLoad;
import io.github.linkguard.benchmarks.recovery.FailoverRun;
import io.github.linkguard.benchmarks.recovery.RecoveryRun;
import io.github.linkguard.benchmarks.recovery.SlowServerRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Keeps every benchmark runnable: one quick smoke run of each, both sides, checking the tables they print.
 * Measures nothing and asserts no timing (that is what the benchmarks themselves are for).
 */
class BenchmarksSmokeTest {

    @Test
    @Timeout(120)
    void theJmhBenchmarksRunOnBothSidesAndFillTheirTables() throws Exception {
        String tables = HappyPathRun.run(true);

        assertThat(tables).contains("### Happy path, one thread: average time", "### Happy path, one thread: allocation",
                "### Contended: throughput with 4 threads on 2 pool slots");
        for (String operation : new String[] {"borrow/return", "statement cycle, 1 row", "statement cycle, 100 rows",
                "executeUpdate", "transaction of 2 updates, LinkGuard's replay on",
                "transaction of 2 updates, LinkGuard's replay off"}) {
            assertThat(tables.split("\n")).filteredOn(line -> line.startsWith("| " + operation + " |")).hasSize(3);
        }
    }

    @Test
    @Timeout(180)
    void theLoopbackLoadRunsBothWorkloadsWithoutErrors() {
        String table = LoopbackLoad.run(true);

        // the bare-vs-LinkGuard table, then the session-tracking off-vs-on table: two rows each
        assertThat(table).contains("Server session tracking off vs on");
        assertThat(table.split("\n")).filteredOn(line -> line.startsWith("| primary-key reads |")).hasSize(4)
                .allSatisfy(line -> assertThat(line).contains("| 0 / 0 |"));
        assertThat(table.split("\n")).filteredOn(line -> line.startsWith("| auto-commit inserts |")).hasSize(4)
                .allSatisfy(line -> assertThat(line).contains("| 0 / 0 |"));
    }

    @Test
    @Timeout(180)
    void theRecoveryRunRestartsTheServerUnderLoadForBothSides() {
        String table = RecoveryRun.run(true);

        assertThat(table.split("\n")).filteredOn(line -> line.startsWith("| stopped gracefully |"))
                .extracting(line -> line.split("\\|")[4].trim())
                .containsExactly("bare HikariCP", "LinkGuard");
    }

    @Test
    @Timeout(120)
    void theSlowServerRunCountsTheExecutionsOfBothSides() {
        String table = SlowServerRun.run(true);

        assertThat(table.split("\n")).filteredOn(line -> line.startsWith("| bare HikariCP |")
                || line.startsWith("| LinkGuard |")).hasSize(2);
    }

    @Test
    @Timeout(240)
    void theFailoverRunKillsThePrimaryUnderEverySide() {
        String table = FailoverRun.run(true);

        assertThat(table.split("\n")).filteredOn(line -> line.startsWith("| primary killed"))
                .extracting(line -> line.split("\\|")[2].trim())
                .containsExactly("LinkGuard", "bare HikariCP (Connector/J multi-host)",
                        "MariaDB Connector/J sequential, transactionReplay");
    }
}
