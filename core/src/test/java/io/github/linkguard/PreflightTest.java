package io.github.linkguard;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.github.linkguard.testkit.EmbeddedMariaDb;
import io.github.linkguard.testkit.MariaDbExtension;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The classic misconfigurations, found before the first lost link, on the shared server; TLS off and on. */
@ExtendWith(MariaDbExtension.class)
@Timeout(60)
class PreflightTest {

    /** What a well-configured pool adds to the test kit's URL. */
    private static final String WELL = "&socketTimeout=30000&connectTimeout=2000";

    private static Pools.Guarded guard(EmbeddedMariaDb db, String url, Consumer<HikariDataSource> configure) {
        HikariDataSource pool = Pools.lazyHikari(db, url);
        configure.accept(pool);
        return Pools.guard(pool, builder -> builder);
    }

    private static List<String> ids(List<Finding> findings) {
        return findings.stream().map(Finding::id).toList();
    }

    @ParameterizedTest(name = "TLS {0}")
    @ValueSource(booleans = {false, true})
    void aWellConfiguredPoolHasNoFinding(boolean tls, EmbeddedMariaDb db) {
        try (Pools.Guarded guarded = guard(db, Pools.url(db, tls) + WELL, pool -> { })) {
            assertThat(guarded.dataSource().preflight()).isEmpty();
            assertThat(guarded.registry().find("linkguard.preflight").gauges()).isEmpty();
        }
    }

    @ParameterizedTest(name = "TLS {0}")
    @ValueSource(booleans = {false, true})
    void aMaxLifetimeOverTheSessionsWaitTimeoutIsFoundNamingBoth(boolean tls, EmbeddedMariaDb db) {
        // only the pool's sessions have a short wait_timeout: the global one is the server's default
        try (Pools.Guarded guarded = guard(db, Pools.url(db, tls) + WELL + "&sessionVariables=wait_timeout=120",
                pool -> {
                    pool.setMaxLifetime(600_000);
                    pool.setKeepaliveTime(0);
                })) {
            List<Finding> findings = guarded.dataSource().preflight();

            assertThat(ids(findings)).containsExactly("max-lifetime-over-wait-timeout");
            assertThat(findings.get(0).severity()).isEqualTo(Finding.Severity.WARNING);
            assertThat(findings.get(0).toString()).contains("maxLifetime (600000 ms)", "wait_timeout",
                    "(120 s; the global value is 28800 s", "Set maxLifetime to 90000 ms");
            assertThat(guarded.registry().find("linkguard.preflight").tag("finding", "max-lifetime-over-wait-timeout")
                    .gauge().value()).isEqualTo(1.0);
        }
    }

    @Test
    void aMaxLifetimeOverTheGlobalWaitTimeoutIsFound(EmbeddedMariaDb db) {
        db.execute("SET GLOBAL wait_timeout = 300");
        try (Pools.Guarded guarded = guard(db, db.jdbcUrl() + WELL, pool -> pool.setKeepaliveTime(0))) {
            List<Finding> findings = guarded.dataSource().preflight();

            assertThat(ids(findings)).containsExactly("max-lifetime-over-wait-timeout");
            assertThat(findings.get(0).toString()).contains("maxLifetime (1800000 ms)", "(300 s)",
                    "Set maxLifetime to 270000 ms").doesNotContain("global value");
        } finally {
            db.execute("SET GLOBAL wait_timeout = 28800");
        }
    }

    @Test
    void aKeepaliveBelowTheIdleLimitKeepsTheSessionsAlive(EmbeddedMariaDb db) {
        try (Pools.Guarded guarded = guard(db, db.jdbcUrl() + WELL + "&sessionVariables=wait_timeout=120",
                pool -> {
                    pool.setMaxLifetime(600_000);
                    pool.setKeepaliveTime(60_000);
                })) {
            assertThat(guarded.dataSource().preflight()).isEmpty();
        }
    }

    @Test
    void aKeepaliveAtOrAboveMaxLifetimeIsFound(EmbeddedMariaDb db) {
        try (Pools.Guarded guarded = guard(db, db.jdbcUrl() + WELL, pool -> {
            pool.setMaxLifetime(300_000);
            pool.setKeepaliveTime(300_000);
        })) {
            List<Finding> findings = guarded.dataSource().preflight();

            assertThat(ids(findings)).containsExactly("keepalive-not-below-max-lifetime");
            assertThat(findings.get(0).toString()).contains("keepaliveTime (300000 ms)", "maxLifetime (300000 ms)",
                    "set keepaliveTime to 120000 ms");
        }
    }

    @ParameterizedTest(name = "TLS {0}")
    @ValueSource(booleans = {false, true})
    void noSocketTimeoutIsFound(boolean tls, EmbeddedMariaDb db) {
        try (Pools.Guarded guarded = guard(db, Pools.url(db, tls), pool -> { })) {
            List<Finding> findings = guarded.dataSource().preflight();

            assertThat(ids(findings)).containsExactly("no-socket-timeout");
            assertThat(findings.get(0).toString()).contains("socketTimeout is 0", "socketTimeout=30000");
        }
    }

    @Test
    void aPoolLargerThanMaxConnectionsIsFound(EmbeddedMariaDb db) throws Exception {
        long maxConnections = Pools.number(db, "SELECT @@global.max_connections");
        try (Pools.Guarded guarded = guard(db, db.jdbcUrl() + WELL,
                pool -> pool.setMaximumPoolSize((int) maxConnections + 10))) {
            List<Finding> findings = guarded.dataSource().preflight();

            assertThat(ids(findings)).containsExactly("pool-over-max-connections");
            assertThat(findings.get(0).severity()).isEqualTo(Finding.Severity.ERROR);
            assertThat(findings.get(0).toString()).contains("maximumPoolSize (" + (maxConnections + 10) + ")",
                    "max_connections (" + maxConnections + ")");
            assertThat(guarded.dataSource().unwrap(HikariDataSource.class).isRunning()).isFalse(); // not started
        }
    }

    @Test
    void anUnreachableServerIsAFindingNotAnException(EmbeddedMariaDb db) {
        try (Pools.Guarded guarded = guard(db, EmbeddedMariaDb.jdbcUrl("127.0.0.1", 1) + WELL, pool -> { })) {
            List<Finding> findings = guarded.dataSource().preflight();

            assertThat(ids(findings)).containsExactly("server-unreachable");
            assertThat(findings.get(0).severity()).isEqualTo(Finding.Severity.ERROR);
            assertThat(guarded.dataSource().lastPreflight()).isEqualTo(findings);
        }
    }

    @Test
    void noTcpKeepAliveAndABorrowTimeoutBelowTheConnectTimeoutAreFound(EmbeddedMariaDb db) {
        try (Pools.Guarded guarded = guard(db, db.jdbcUrl() + "&socketTimeout=30000&connectTimeout=5000"
                + "&tcpKeepAlive=false", pool -> pool.setConnectionTimeout(3_000))) {
            List<Finding> findings = guarded.dataSource().preflight();

            assertThat(ids(findings)).containsExactlyInAnyOrder("no-tcp-keepalive",
                    "connection-timeout-below-connect-timeout");
            assertThat(findings).filteredOn(finding -> finding.id().startsWith("connection-timeout"))
                    .singleElement().asString().contains("connectionTimeout (3000 ms)", "connectTimeout (5000 ms)",
                            "set connectTimeout to at most 3000 ms");
        }
    }
}
