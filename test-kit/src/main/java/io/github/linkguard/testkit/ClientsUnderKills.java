package io.github.linkguard.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A test's clients calling an application while every session of its database is killed every 300 ms and the
 * server restarts once, 5 s in: the way to see what an application's users see when its links are lost. It
 * runs at least {@code least}, and then until the outcomes counted so far are enough (so that what a test
 * asserts does not depend on the machine's speed; the test's own timeout bounds it).
 */
public final class ClientsUnderKills {

    /** One client's calls. */
    @FunctionalInterface
    public interface Client {
        /**
         * Makes call {@code call} of client {@code client}: what came of it, a short kind of outcome to count
         * ("listing", "transfer rolled back (40001)"), or a text starting with {@value #UNEXPECTED} for a
         * failure the application should not have had.
         */
        String call(int client, int call);
    }

    /** How an unexpected outcome starts. */
    public static final String UNEXPECTED = "unexpected";

    /** What the clients saw: how many of each kind of outcome, and every unexpected one. */
    public record Outcomes(Map<String, Integer> counts, List<String> unexpected) {
        /** How many calls came to {@code kind}. */
        public int count(String kind) {
            return counts.getOrDefault(kind, 0);
        }
    }

    private ClientsUnderKills() {
    }

    /**
     * Runs {@code clients} clients against the application of {@code db} while its sessions are killed and it
     * restarts once, for at least {@code least} and until {@code enough} holds for the counts so far.
     */
    public static Outcomes run(EmbeddedMariaDb db, int clients, Client client, Duration least,
            Predicate<Map<String, Integer>> enough) throws InterruptedException, ExecutionException {
        Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
        List<String> unexpected = new ArrayList<>();
        long until = System.nanoTime() + least.toNanos();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try (SessionKiller killer = SessionKiller.every(db, Duration.ofMillis(300))) {
            List<Future<?>> running = new ArrayList<>();
            for (int id = 0; id < clients; id++) {
                int which = id;
                running.add(pool.submit(() -> {
                    for (int call = 1; System.nanoTime() < until || !enough.test(snapshot(counts)); call++) {
                        String outcome = client.call(which, call);
                        boolean failed = outcome.startsWith(UNEXPECTED);
                        String kind = failed ? outcome.substring(0, Math.max(outcome.indexOf(':'), 0)) : outcome;
                        counts.computeIfAbsent(kind, k -> new AtomicInteger()).incrementAndGet();
                        if (failed) {
                            synchronized (unexpected) {
                                unexpected.add(outcome);
                            }
                        }
                    }
                    return null;
                }));
            }
            Thread.sleep(5_000);
            db.restart();
            for (Future<?> each : running) {
                each.get();
            }
        } finally {
            pool.shutdownNow();
        }
        synchronized (unexpected) {
            return new Outcomes(snapshot(counts), List.copyOf(unexpected));
        }
    }

    private static Map<String, Integer> snapshot(Map<String, AtomicInteger> counts) {
        Map<String, Integer> copy = new TreeMap<>();
        counts.forEach((kind, count) -> copy.put(kind, count.get()));
        return copy;
    }
}
