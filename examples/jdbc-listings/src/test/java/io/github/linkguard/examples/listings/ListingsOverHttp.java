package io.github.linkguard.examples.listings;

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
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The catalogue as its clients see it: four HTTP clients list shelves (1 + N + M queries in one read-only
 * transaction each) while two add books, every database session is killed every 300 ms and the server
 * restarts once. No listing fails or comes back empty; every acknowledged book is there exactly once, with
 * its review; a post rolled back (409, 40001) left nothing; one whose COMMIT was lost (503, 08007) left the
 * book at most once. The subclasses run it at REPEATABLE READ (the server's default: listings that the
 * replay cannot prove are run again) and at READ COMMITTED (listings go on).
 */
@Timeout(240)
abstract class ListingsOverHttp {

    private static final int SHELVES = 5;

    @LocalServerPort
    int port;

    @Autowired
    Catalogue catalogue;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    EmbeddedMariaDb listingsDatabase;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void noListingFailsAndEveryAcknowledgedBookIsThereOnce() throws Exception {
        catalogue.open(SHELVES);
        Map<String, AtomicInteger> outcomes = new ConcurrentHashMap<>();
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        Set<String> unknown = ConcurrentHashMap.newKeySet();
        Set<String> rolledBack = ConcurrentHashMap.newKeySet();
        List<String> unexpected = new ArrayList<>();
        // at least 14 s, through the restart, and until enough was done: 150 listings and 40 acknowledged books
        // (bounded by the test's own timeout; the figures do not depend on the machine's speed)
        long least = System.nanoTime() + Duration.ofSeconds(14).toNanos();
        BooleanSupplier goOn = () -> System.nanoTime() < least
                || outcomes.getOrDefault("listing", new AtomicInteger()).get() <= 150 || acknowledged.size() <= 40;
        ExecutorService clients = Executors.newFixedThreadPool(6);
        try (SessionKiller killer = SessionKiller.every(listingsDatabase, Duration.ofMillis(300))) {
            List<Future<?>> running = new ArrayList<>();
            for (int client = 0; client < 6; client++) {
                int id = client;
                running.add(clients.submit(() -> {
                    int call = 0;
                    while (goOn.getAsBoolean()) {
                        call++;
                        String outcome = id < 4 ? list(call) : post(id, call, acknowledged, unknown, rolledBack);
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
            listingsDatabase.restart();
            for (Future<?> client : running) {
                client.get();
            }
        } finally {
            clients.shutdownNow();
        }
        System.out.println(getClass().getSimpleName() + " outcomes: " + outcomes + ", books listed at the end: "
                + jdbc.queryForObject("SELECT COUNT(*) FROM book", Long.class));

        assertThat(unexpected).as("requests that failed otherwise, or answered an empty page (%d)", unexpected.size())
                .isEmpty();
        assertThat(outcomes.get("listing").get()).isGreaterThan(150);
        assertThat(acknowledged).hasSizeGreaterThan(40);
        for (String requestId : acknowledged) {
            assertThat(booksOf(requestId)).as("acknowledged book " + requestId).isEqualTo(1);
            assertThat(reviewsOf(requestId)).as("its review " + requestId).isEqualTo(1);
        }
        for (String requestId : rolledBack) {
            assertThat(booksOf(requestId)).as("book rolled back with 40001 " + requestId).isZero();
        }
        for (String requestId : unknown) {
            assertThat(booksOf(requestId)).as("book of unknown outcome " + requestId).isBetween(0L, 1L);
            assertThat(reviewsOf(requestId)).as("its review " + requestId).isEqualTo(booksOf(requestId));
        }
    }

    private long booksOf(String requestId) {
        return jdbc.queryForObject("SELECT COUNT(*) FROM book WHERE request_id = ?", Long.class, requestId);
    }

    private long reviewsOf(String requestId) {
        return jdbc.queryForObject("SELECT COUNT(*) FROM review r JOIN book b ON b.id = r.book_id WHERE b.request_id = ?",
                Long.class, requestId);
    }

    private String list(int call) {
        String path = call % 2 == 0 ? "/shelves" : "/shelves/" + (1 + ThreadLocalRandom.current().nextInt(SHELVES));
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri(path)).GET());
        if (response != null && response.statusCode() == 200 && response.body().contains("\"books\"")) {
            return "listing";
        }
        return "unexpected GET " + path + ": " + describe(response);
    }

    private String post(int client, int call, Set<String> acknowledged, Set<String> unknown, Set<String> rolledBack) {
        String requestId = "http-" + client + "-" + call + "-" + System.nanoTime();
        long shelf = 1 + ThreadLocalRandom.current().nextInt(SHELVES);
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/books?requestId=" + requestId + "&shelf="
                + shelf + "&title=book-" + call + "&stars=" + (1 + call % 5))).POST(HttpRequest.BodyPublishers.noBody()));
        if (response != null && response.statusCode() == 201 && response.body().contains(requestId)) {
            acknowledged.add(requestId);
            return "book";
        }
        if (response != null && response.statusCode() == 503 && response.body().contains("08007")) {
            unknown.add(requestId);
            return "book outcome unknown (08007)";
        }
        if (response != null && response.statusCode() == 409 && response.body().contains("\"40001\"")) {
            rolledBack.add(requestId);
            return "book rolled back (40001)";
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
        if (response == null) {
            return "no response";
        }
        String body = response.body();
        return response.statusCode() + " '" + (body.length() > 300 ? body.substring(0, 300) + "..." : body) + "'";
    }
}
