package io.github.linkguard.benchmarks.jmh;

import io.github.linkguard.benchmarks.Pools.Side;
import io.github.linkguard.benchmarks.Table;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;
import org.openjdk.jmh.annotations.Mode;

/**
 * Runs {@link HappyPathBenchmark}: average time on one thread and throughput with twice as many threads as
 * pool slots, both with the GC profiler, then a short run with escape analysis off, in which every object
 * made is counted (so LinkGuard's extra bytes are exactly its wrappers' sizes); prints the two sides next
 * to the goals.
 */
public final class HappyPathRun {

    /** Goal: LinkGuard adds at most this much per borrow/return and per statement cycle. */
    static final double MAX_EXTRA_NANOS = 30;
    /** Goal: contended throughput of LinkGuard at least this share of bare HikariCP's. */
    static final double MIN_THROUGHPUT_RATIO = 0.95;

    private HappyPathRun() {
    }

    /**
     * @param quick a smoke run: in this JVM, one short iteration of each (checks that all runs, measures
     *        nothing)
     */
    public static String run(boolean quick) throws RunnerException {
        Map<String, Pair> single = measure(quick, Mode.AverageTime, 1, TimeUnit.NANOSECONDS, "single", false);
        Map<String, Pair> contended = measure(quick, Mode.Throughput, 2 * StubPool.SLOTS, TimeUnit.MICROSECONDS,
                "contended", false);
        Map<String, Pair> everyObject = measure(quick, Mode.AverageTime, 1, TimeUnit.NANOSECONDS, "every-object",
                true);
        return latency(single) + "\n" + allocation(single, everyObject) + "\n" + throughput(contended, single);
    }

    /** @param everyObject escape analysis off, a short run: for the bytes per operation only */
    private static Map<String, Pair> measure(boolean quick, Mode mode, int threads, TimeUnit unit, String name,
            boolean everyObject) throws RunnerException {
        ChainedOptionsBuilder options = new OptionsBuilder()
                .include(HappyPathBenchmark.class.getName() + "\\.")
                .mode(mode)
                .timeUnit(unit)
                .threads(threads)
                .addProfiler(GCProfiler.class)
                .shouldFailOnError(true);
        if (quick) {
            options.forks(0).warmupIterations(0).measurementIterations(1)
                    .measurementTime(TimeValue.milliseconds(100)).verbosity(VerboseMode.SILENT);
        } else if (everyObject) {
            options.forks(1).jvmArgsAppend("-XX:-DoEscapeAnalysis").warmupIterations(2)
                    .warmupTime(TimeValue.seconds(1)).measurementIterations(2).measurementTime(TimeValue.seconds(1));
        } else {
            // threads outnumbering the CPUs settle slower: the contended runs warm up longer
            options.forks(3).warmupIterations(threads > 1 ? 5 : 3).warmupTime(TimeValue.seconds(1))
                    .measurementIterations(5).measurementTime(TimeValue.seconds(1))
                    .resultFormat(ResultFormatType.JSON).result("target/jmh-" + name + ".json");
        }
        Map<String, Pair> pairs = new LinkedHashMap<>();
        for (RunResult result : new Runner(options.build()).run()) {
            BenchmarkParams params = result.getParams();
            String operation = operation(params);
            Pair pair = pairs.computeIfAbsent(operation, key -> new Pair());
            if (Side.valueOf(params.getParam("side")) == Side.BARE) {
                pair.bare = result;
            } else {
                pair.linkGuard = result;
            }
        }
        return pairs;
    }

    private static String operation(BenchmarkParams params) {
        String method = params.getBenchmark().substring(params.getBenchmark().lastIndexOf('.') + 1);
        String rows = params.getParam("rows");
        switch (method) {
            case "borrowReturn":
                return "borrow/return";
            case "statementCycle":
                return "statement cycle, " + rows + ("1".equals(rows) ? " row" : " rows");
            case "transaction":
                return "transaction of 2 updates, LinkGuard's replay " + params.getParam("replay");
            case "readOnlyTransaction":
                return "read-only transaction of 3 queries, LinkGuard's replay " + params.getParam("replay");
            default:
                return method;
        }
    }

    private static String latency(Map<String, Pair> single) {
        Table table = new Table("Happy path, one thread: average time (ns/op, lower is better)",
                "Operation (each borrows and returns)", "bare HikariCP", "LinkGuard", "LinkGuard extra",
                "Extra beyond borrow/return", "Goal", "Met");
        double borrowExtra = single.get("borrow/return").extra();
        single.forEach((operation, pair) -> {
            boolean borrow = operation.equals("borrow/return");
            double beyond = pair.extra() - borrowExtra;
            double judged = borrow ? pair.extra() : beyond;
            table.row(operation, score(pair.bare), score(pair.linkGuard), Table.signed(pair.extra(), 1),
                    borrow ? "" : Table.signed(beyond, 1), "≤ +" + (int) MAX_EXTRA_NANOS + " ns",
                    Table.met(judged <= MAX_EXTRA_NANOS));
        });
        return table.toString();
    }

    private static String allocation(Map<String, Pair> single, Map<String, Pair> everyObject) {
        Table table = new Table("Happy path, one thread: allocation (bytes/op, from -prof gc)",
                "Operation", "bare HikariCP", "LinkGuard", "LinkGuard extra",
                "LinkGuard extra, escape analysis off (every object counted)");
        single.forEach((operation, pair) -> {
            Pair counted = everyObject.get(operation);
            table.row(operation, Table.number(Pair.bytes(pair.bare), 0), Table.number(Pair.bytes(pair.linkGuard), 0),
                    Table.signed(pair.extraBytes(), 0), Table.signed(counted.extraBytes(), 0));
        });
        return table.toString();
    }

    private static String throughput(Map<String, Pair> contended, Map<String, Pair> single) {
        Table table = new Table("Contended: throughput with " + 2 * StubPool.SLOTS + " threads on " + StubPool.SLOTS
                + " pool slots (ops/µs, higher is better)",
                "Operation", "bare HikariCP", "LinkGuard", "Ratio", "Goal", "Met",
                "One thread's ratio (bare ns / LinkGuard ns)");
        contended.forEach((operation, pair) -> {
            double ratio = pair.linkGuard.getPrimaryResult().getScore() / pair.bare.getPrimaryResult().getScore();
            Pair alone = single.get(operation);
            double aloneRatio = alone.bare.getPrimaryResult().getScore() / alone.linkGuard.getPrimaryResult().getScore();
            table.row(operation, score(pair.bare), score(pair.linkGuard), Table.number(ratio, 3),
                    "≥ " + MIN_THROUGHPUT_RATIO, Table.met(ratio >= MIN_THROUGHPUT_RATIO), Table.number(aloneRatio, 3));
        });
        return table.toString();
    }

    private static String score(RunResult result) {
        Result<?> primary = result.getPrimaryResult();
        double error = primary.getScoreError();
        int decimals = primary.getScore() < 10 ? 3 : 1;
        return Table.number(primary.getScore(), decimals)
                + (Double.isNaN(error) ? "" : " ± " + Table.number(error, decimals));
    }

    /** The two sides' results of one operation. */
    private static final class Pair {
        RunResult bare;
        RunResult linkGuard;

        double extra() {
            return linkGuard.getPrimaryResult().getScore() - bare.getPrimaryResult().getScore();
        }

        double extraBytes() {
            return bytes(linkGuard) - bytes(bare);
        }

        static double bytes(RunResult result) {
            Result<?> normalized = result.getSecondaryResults().get("gc.alloc.rate.norm");
            if (normalized == null) {
                throw new IllegalStateException("no gc.alloc.rate.norm in " + result.getSecondaryResults().keySet());
            }
            return normalized.getScore();
        }
    }
}
