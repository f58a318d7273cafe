package io.github.linkguard.examples.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.linkguard.testkit.ClientsUnderKills;
import io.github.linkguard.testkit.EmbeddedMariaDb;
import io.github.linkguard.testkit.LocalHttp;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The ledger as its clients see it: six HTTP clients read accounts and the total and post transfers while
 * every database session is killed every 300 ms and the server restarts once. No request fails but a
 * transfer whose replay saw other data (40001: rolled back, safe to post again): none with 08007, as a COMMIT
 * lost with its link is resolved; no empty page; every acknowledged transfer is in the ledger exactly once,
 * none that was rolled back, and the total holds.
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
    EmbeddedMariaDb embeddedMariaDb;

    @Test
    void noRequestFailsButTransfersRolledBackAndEveryAcknowledgedTransferIsThereOnce() throws Exception {
        ledger.open(ACCOUNTS, 1_000);
        long total = ledger.total();
        LocalHttp http = new LocalHttp(port);
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        Set<String> unknown = ConcurrentHashMap.newKeySet();
        Set<String> rolledBack = ConcurrentHashMap.newKeySet();
        // at least 14 s, through the restart, and until enough was done: 200 reads and 50 acknowledged transfers
        // (bounded: the test's own timeout; the figures do not depend on the machine's speed)
        ClientsUnderKills.Outcomes outcomes = ClientsUnderKills.run(embeddedMariaDb, 6, (client, call) -> client % 2 == 0
                ? get(http, call) : post(http, client, call, acknowledged, unknown, rolledBack), Duration.ofSeconds(14),
                counts -> counts.getOrDefault("read", 0) > 200 && acknowledged.size() > 50);
        System.out.println("LedgerOverHttpTest outcomes: " + outcomes.counts());

        assertThat(outcomes.unexpected()).as("requests that failed otherwise, or answered an empty page").isEmpty();
        assertThat(outcomes.count("read")).isGreaterThan(200);
        assertThat(acknowledged).hasSizeGreaterThan(50);
        for (String requestId : acknowledged) {
            assertThat(transfersOf(requestId)).as("acknowledged transfer " + requestId).isEqualTo(1);
        }
        for (String requestId : rolledBack) {
            assertThat(transfersOf(requestId)).as("transfer rolled back with 40001 " + requestId).isZero();
        }
        assertThat(unknown).as("transfers whose outcome was unknown (08007)").isEmpty();
        assertThat(ledger.total()).isEqualTo(total);
    }

    private long transfersOf(String requestId) {
        return jdbc.queryForObject("SELECT COUNT(*) FROM transfer WHERE request_id = ?", Long.class, requestId);
    }

    private static String get(LocalHttp http, int call) {
        String path = call % 3 == 0 ? "/total" : "/accounts/" + (1 + ThreadLocalRandom.current().nextInt(ACCOUNTS));
        HttpResponse<String> response = http.get(path);
        if (response != null && response.statusCode() == 200
                && response.body().contains(path.equals("/total") ? "\"total\"" : "\"balance\"")) {
            return "read";
        }
        return ClientsUnderKills.UNEXPECTED + " GET " + path + ": " + LocalHttp.describe(response);
    }

    private static String post(LocalHttp http, int client, int call, Set<String> acknowledged, Set<String> unknown,
            Set<String> rolledBack) {
        String requestId = "http-" + client + "-" + call + "-" + System.nanoTime();
        long from = 1 + ThreadLocalRandom.current().nextInt(ACCOUNTS);
        long to = 1 + ThreadLocalRandom.current().nextInt(ACCOUNTS);
        HttpResponse<String> response = http.post("/transfers?requestId=" + requestId + "&from=" + from + "&to=" + to
                + "&amount=" + (1 + call % 10));
        switch (LocalHttp.written(response, 201, requestId)) {
            case ACKNOWLEDGED:
                acknowledged.add(requestId);
                return "transfer";
            case UNKNOWN:
                unknown.add(requestId);
                return "transfer outcome unknown (08007)";
            case ROLLED_BACK:
                rolledBack.add(requestId);
                return "transfer rolled back (40001)";
            default:
                return ClientsUnderKills.UNEXPECTED + " POST: " + LocalHttp.describe(response);
        }
    }
}
