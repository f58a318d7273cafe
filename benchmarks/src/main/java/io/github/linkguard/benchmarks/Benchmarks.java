package io.github.linkguard.benchmarks;

import io.github.linkguard.benchmarks.jmh.HappyPathRun;
import io.github.linkguard.benchmarks.load.LoopbackLoad;
import io.github.linkguard.benchmarks.load.ReplayFootprint;
import io.github.linkguard.benchmarks.recovery.FailoverRun;
import io.github.linkguard.benchmarks.recovery.RecoveryRun;
import io.github.linkguard.benchmarks.recovery.SlowServerRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;

/**
 * Runs the benchmarks and prints their tables in Markdown (also to {@code target/benchmarks.md}):
 * {@code all} (default), or some of {@code jmh}, {@code load}, {@code recovery}, {@code transactions} (the
 * loopback load's transaction rows only, and the bytes a replay keeps per open transaction), {@code failover}
 * (a replication pair's primary killed or switched over, LinkGuard beside the drivers' own failover); {@code quick}
 * makes each a short smoke run that measures nothing.
 */
public final class Benchmarks {

    private static final List<String> PARTS = List.of("jmh", "load", "recovery", "transactions", "failover");
    private static final Path REPORT = Path.of("target", "benchmarks.md");

    private Benchmarks() {
    }

    public static void main(String[] args) throws Exception {
        List<String> words = Arrays.asList(args);
        boolean quick = words.contains("quick");
        List<String> which = words.stream().filter(word -> !word.equals("quick") && !word.equals("all")).toList();
        for (String word : which) {
            if (!PARTS.contains(word)) {
                System.err.println("Unknown argument '" + word + "'; use: [all|jmh|load|recovery|transactions|failover ...] [quick]");
                System.exit(2);
            }
        }
        // load has the transactions
        List<String> parts = which.isEmpty() ? List.of("jmh", "load", "recovery", "failover") : which;
        Files.createDirectories(REPORT.getParent());
        Files.writeString(REPORT, "");
        report(Machine.describe());
        if (parts.contains("jmh")) {
            report(HappyPathRun.run(quick));
        }
        if (parts.contains("load")) {
            report(LoopbackLoad.run(quick));
        }
        if (parts.contains("transactions")) {
            report(LoopbackLoad.runTransactions(quick));
            report(ReplayFootprint.run(quick));
        }
        if (parts.contains("recovery")) {
            report(RecoveryRun.run(quick));
            report(SlowServerRun.run(quick));
        }
        if (parts.contains("failover")) {
            report(FailoverRun.run(quick));
        }
    }

    private static void report(String text) throws IOException {
        System.out.println(text);
        Files.writeString(REPORT, text + "\n", StandardOpenOption.APPEND);
    }
}
