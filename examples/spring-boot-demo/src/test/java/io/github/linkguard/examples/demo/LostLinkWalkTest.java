package io.github.linkguard.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.linkguard.Finding;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/** The demo's walk, for real: every row right, and the meters on /actuator/prometheus. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class LostLinkWalkTest {

    private static final Pattern METRIC = Pattern.compile("\\b(linkguard|hikaricp)_[a-z_]+");

    @Autowired
    LostLinkWalk walk;

    @LocalServerPort
    int port;

    @Test
    void thePreflightFoundTheDemosBadSettingsBeforeTheWalk() {
        assertThat(walk.findings()).extracting(Finding::id).containsExactlyInAnyOrder("no-socket-timeout",
                "max-lifetime-over-wait-timeout", "server-connect-timeout-short",
                "streaming-under-short-net-write-timeout", "max-allowed-packet-small");
    }

    @Test
    void everyRowOfTheWalkIsRight() {
        List<LostLinkWalk.Row> rows = walk.rows();
        assertThat(rows).extracting(LostLinkWalk.Row::cause, LostLinkWalk.Row::outcome).containsExactly(
                org.assertj.core.groups.Tuple.tuple("network", "recovered"),
                org.assertj.core.groups.Tuple.tuple("network", "recovered"),
                org.assertj.core.groups.Tuple.tuple("network", "recovered"),
                org.assertj.core.groups.Tuple.tuple("transfer-timeout", "surfaced S1000"),
                org.assertj.core.groups.Tuple.tuple("connect-timeout", "surfaced 08S01"),
                org.assertj.core.groups.Tuple.tuple("packet-too-large", "surfaced S1000"),
                org.assertj.core.groups.Tuple.tuple("idle-timeout", "recovered"),
                org.assertj.core.groups.Tuple.tuple("server-restart", "recovered"));
        assertThat(rows).allSatisfy(row -> assertThat(row.recommendation()).isNotBlank().isNotEqualTo("-"));
    }

    @Test
    void theMetersAreOnThePrometheusEndpointUnderTheContractNames() throws Exception {
        String scrape = get("/actuator/prometheus");

        assertThat(scrape).contains("linkguard_failures_total{").contains("linkguard_retries_total{")
                .contains("outcome=\"recovered\"").contains("outcome=\"not-retried\"")
                .contains("datasource=\"dataSource\"").contains("hikaricp_connections")
                .contains("linkguard_commit_outcomes_total{datasource=\"dataSource\",outcome=\"committed\"} 1.0");
        assertThat(get("/actuator/linkguard")).contains("\"cause\":\"server-restart\"");
        assertThat(get("/actuator/health/linkguard")).contains("\"status\":\"UP\"");
    }

    @Test
    void everyMetricTheDashboardAndAlertsUseIsScraped() throws Exception {
        String scrape = get("/actuator/prometheus");
        Set<String> used = new TreeSet<>();
        for (String file : new String[] {"linkguard-dashboard.json", "linkguard-alerts.yml"}) {
            Matcher names = METRIC.matcher(Files.readString(Path.of("..", "dashboards", file)));
            while (names.find()) {
                used.add(names.group());
            }
        }

        assertThat(used).contains("linkguard_failures_total", "linkguard_retries_total", "linkguard_preflight",
                "linkguard_retry_attempts_total", "linkguard_recovery_seconds_sum", "hikaricp_connections_active");
        // registered only where the URL names several servers (the demo has one): FailoverTest reads them
        Set<String> multiHostOnly = Set.of("linkguard_writer", "linkguard_writer_switches_total");
        assertThat(used).containsAll(multiHostOnly);
        assertThat(used).filteredOn(name -> !multiHostOnly.contains(name))
                .allSatisfy(name -> assertThat(scrape).contains("\n" + name + "{"));
    }

    private String get(String path) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }
}
