package io.github.linkguard.examples.listings;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.linkguard.testkit.ClientsUnderKills;
import io.github.linkguard.testkit.EmbeddedMariaDb;
import io.github.linkguard.testkit.LocalHttp;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The catalogue as its clients see it: four HTTP clients list shelves (1 + N + M queries in one read-only
 * transaction each) while two add books, every database session is killed every 300 ms and the server
 * restarts once. No listing fails or comes back empty; every acknowledged book is there exactly once, with
 * its review; a post rolled back (409, 40001) left nothing; none comes back 08007 (a COMMIT lost with its link
 * is resolved). The subclasses run it at REPEATABLE READ (the server's default: listings that the
 * replay cannot prove are run again) and at READ COMMITTED (listings go on).
 */
@Timeout(240)
@Import(ListingsOverHttp.Meters.class)
abstract class ListingsOverHttp {

    private static final int SHELVES = 5;

    /** A registry for LinkGuard's meters, to print what it did. */
    @TestConfiguration
    static class Meters {
        @Bean
        MeterRegistry meterRegistry() {
            return new SimpleMeterRegistry();
        }
    }

    @LocalServerPort
    int port;

    @Autowired
    Catalogue catalogue;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    EmbeddedMariaDb embeddedMariaDb;

    @Autowired
    MeterRegistry registry;

    @Test
    void noListingFailsAndEveryAcknowledgedBookIsThereOnce() throws Exception {
        catalogue.open(SHELVES);
        LocalHttp http = new LocalHttp(port);
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        Set<String> unknown = ConcurrentHashMap.newKeySet();
        Set<String> rolledBack = ConcurrentHashMap.newKeySet();
        // at least 14 s, through the restart, and until enough was done: 150 listings and 40 acknowledged books
        ClientsUnderKills.Outcomes outcomes = ClientsUnderKills.run(embeddedMariaDb, 6, (client, call) -> client < 4
                ? list(http, call) : post(http, client, call, acknowledged, unknown, rolledBack),
                Duration.ofSeconds(14), counts -> counts.getOrDefault("listing", 0) > 150 && acknowledged.size() > 40);
        System.out.println(getClass().getSimpleName() + " outcomes: " + outcomes.counts() + ", books at the end: "
                + jdbc.queryForObject("SELECT COUNT(*) FROM book", Long.class) + ", listings run again: "
                + count("linkguard.reruns", "recovered") + " (failed again: " + count("linkguard.reruns", "failed")
                + "), operations recovered by LinkGuard: " + count("linkguard.retries", "recovered"));

        assertThat(outcomes.unexpected()).as("requests that failed otherwise, or answered an empty page").isEmpty();
        assertThat(outcomes.count("listing")).isGreaterThan(150);
        assertThat(acknowledged).hasSizeGreaterThan(40);
        for (String requestId : acknowledged) {
            assertThat(booksOf(requestId)).as("acknowledged book " + requestId).isEqualTo(1);
            assertThat(reviewsOf(requestId)).as("its review " + requestId).isEqualTo(1);
        }
        for (String requestId : rolledBack) {
            assertThat(booksOf(requestId)).as("book rolled back with 40001 " + requestId).isZero();
        }
        assertThat(unknown).as("books whose outcome was unknown (08007)").isEmpty();
    }

    private long count(String meter, String outcome) {
        return Math.round(registry.find(meter).tag("outcome", outcome).counters().stream().mapToDouble(c -> c.count()).sum());
    }

    private long booksOf(String requestId) {
        return jdbc.queryForObject("SELECT COUNT(*) FROM book WHERE request_id = ?", Long.class, requestId);
    }

    private long reviewsOf(String requestId) {
        return jdbc.queryForObject("SELECT COUNT(*) FROM review r JOIN book b ON b.id = r.book_id WHERE b.request_id = ?",
                Long.class, requestId);
    }

    private static String list(LocalHttp http, int call) {
        String path = call % 2 == 0 ? "/shelves" : "/shelves/" + (1 + ThreadLocalRandom.current().nextInt(SHELVES));
        HttpResponse<String> response = http.get(path);
        if (response != null && response.statusCode() == 200 && response.body().contains("\"books\"")) {
            return "listing";
        }
        return ClientsUnderKills.UNEXPECTED + " GET " + path + ": " + LocalHttp.describe(response);
    }

    private static String post(LocalHttp http, int client, int call, Set<String> acknowledged, Set<String> unknown,
            Set<String> rolledBack) {
        String requestId = "http-" + client + "-" + call + "-" + System.nanoTime();
        long shelf = 1 + ThreadLocalRandom.current().nextInt(SHELVES);
        HttpResponse<String> response = http.post("/books?requestId=" + requestId + "&shelf=" + shelf + "&title=book-"
                + call + "&stars=" + (1 + call % 5));
        switch (LocalHttp.written(response, 201, requestId)) {
            case ACKNOWLEDGED:
                acknowledged.add(requestId);
                return "book";
            case UNKNOWN:
                unknown.add(requestId);
                return "book outcome unknown (08007)";
            case ROLLED_BACK:
                rolledBack.add(requestId);
                return "book rolled back (40001)";
            default:
                return ClientsUnderKills.UNEXPECTED + " POST: " + LocalHttp.describe(response);
        }
    }
}
