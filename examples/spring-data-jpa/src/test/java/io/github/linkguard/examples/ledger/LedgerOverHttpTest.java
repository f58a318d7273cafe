package io.github.linkguard.examples.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.linkguard.testkit.EmbeddedMariaDb;
import io.github.linkguard.testkit.SessionKiller;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The ledger as its clients see it: six HTTP clients read accounts and the total and post transfers while
 * every database session is killed every 300 ms and the server restarts once. No request fails but a
 * transfer whose COMMIT was lost (503, SQLState 08007: nobody can know whether it was applied) or whose
 * replay saw other data (40001: rolled back, safe to post again); no empty page; every acknowledged
 * transfer is in the ledger exactly once, none that was rolled back, and the total holds.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Timeout(180)
class LedgerOverHttpTest {

    private static final int ACCOUNTS = 20;

    @LocalServerPort
    int port;

    @Autowired
    LedgerService ledger;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    EmbeddedMariaDb ledgerDatabase;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void noRequestFailsButTransfersWhoseOutcomeIsUnknownAndEveryAcknowledgedTransferIsThereOnce() throws Exception {
        ledger.open(ACCOUNTS, 1_000);
        long total = ledger.total();
        Map<String, AtomicInteger> outcomes = new ConcurrentHashMap<>();
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        Set<String> unknown = ConcurrentHashMap.newKeySet();
        Set<String> rolledBack = ConcurrentHashMap.newKeySet();
        List<String> unexpected = new ArrayList<>();
        // at least 14 s, through the restart, and until enough was done: 200 reads and 50 acknowledged transfers
        // (bounded: the test's own timeout; the figures do not depend on the machine's speed)
        long least = System.nanoTime() + Duration.ofSeconds(14).toNanos();
        java.util.function.BooleanSupplier goOn = () -> System.nanoTime() < least
                || outcomes.getOrDefault("read", new AtomicInteger()).get() <= 200 || acknowledged.size() <= 50;
        ExecutorService clients = Executors.newFixedThreadPool(6);
        try (SessionKiller killer = SessionKiller.every(ledgerDatabase, Duration.ofMillis(300))) {
            List<Future<?>> running = new ArrayList<>();
            for (int client = 0; client < 6; client++) {
                int id = client;
                running.add(clients.submit(() -> {
                    int call = 0;
                    while (goOn.getAsBoolean()) {
                        call++;
                        String outcome = id % 2 == 0 ? get(id, call) : post(id, call, acknowledged, unknown, rolledBack);
                        String kind = outcome.startsWith("unexpected") ? outcome.substring(0, outcome.indexOf(':')) : outcome;
                        outcomes.computeIfAbsent(kind, k -> new AtomicInteger()).incrementAndGet();
                        if (outcome.startsWith("unexpected")) {
                            synchronized (unexpected) {
                                unexpected.add(outcome);
                            }
                        }
                    }
                    return null;
                }));
            }
            Thread.sleep(5_000);
            ledgerDatabase.restart();
            for (Future<?> client : running) {
                client.get();
            }
        } finally {
            clients.shutdownNow();
        }
        System.out.println("LedgerOverHttpTest outcomes: " + outcomes);

        assertThat(unexpected).as("requests that failed otherwise, or answered an empty page (%d)", unexpected.size())
                .isEmpty();
        assertThat(outcomes.get("read").get()).isGreaterThan(200);
        assertThat(acknowledged).hasSizeGreaterThan(50);
        for (String requestId : acknowledged) {
            assertThat(transfersOf(requestId)).as("acknowledged transfer " + requestId).isEqualTo(1);
        }
        for (String requestId : rolledBack) {
            assertThat(transfersOf(requestId)).as("transfer rolled back with 40001 " + requestId).isZero();
        }
        for (String requestId : unknown) {
            assertThat(transfersOf(requestId)).as("transfer of unknown outcome " + requestId).isBetween(0L, 1L);
        }
        assertThat(ledger.total()).isEqualTo(total);
    }

    private long transfersOf(String requestId) {
        return jdbc.queryForObject("SELECT COUNT(*) FROM transfer WHERE request_id = ?", Long.class, requestId);
    }

    private String get(int client, int call) {
        String path = call % 3 == 0 ? "/total" : "/accounts/" + (1 + ThreadLocalRandom.current().nextInt(ACCOUNTS));
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri(path)).GET());
        if (response != null && response.statusCode() == 200
                && response.body().contains(path.equals("/total") ? "\"total\"" : "\"balance\"")) {
            return "read";
        }
        return "unexpected GET " + path + ": " + describe(response);
    }

    private String post(int client, int call, Set<String> acknowledged, Set<String> unknown, Set<String> rolledBack) {
        String requestId = "http-" + client + "-" + call + "-" + System.nanoTime();
        long from = 1 + ThreadLocalRandom.current().nextInt(ACCOUNTS);
        long to = 1 + ThreadLocalRandom.current().nextInt(ACCOUNTS);
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/transfers?requestId=" + requestId + "&from="
                + from + "&to=" + to + "&amount=" + (1 + call % 10))).POST(HttpRequest.BodyPublishers.noBody()));
        if (response != null && response.statusCode() == 201 && response.body().contains(requestId)) {
            acknowledged.add(requestId);
            return "transfer";
        }
        if (response != null && response.statusCode() == 503 && response.body().contains("08007")) {
            unknown.add(requestId);
            return "transfer outcome unknown (08007)";
        }
        if (response != null && response.statusCode() == 409 && response.body().contains("\"40001\"")) {
            rolledBack.add(requestId);
            return "transfer rolled back (40001)";
        }
        return "unexpected POST: " + describe(response);
    }

    private URI uri(String path) {
        return URI.create("http://localhost:" + port + path);
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return http.send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            return null;
        }
    }

    private static String describe(HttpResponse<String> response) {
        return response == null ? "no response" : response.statusCode() + " '" + response.body() + "'";
    }
}
