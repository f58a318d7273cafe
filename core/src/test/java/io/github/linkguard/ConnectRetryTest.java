package io.github.linkguard;

import static io.github.linkguard.Pools.diagnosisOf;
import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.github.linkguard.testkit.EmbeddedMariaDb;
import io.github.linkguard.testkit.FaultProxy;
import io.github.linkguard.testkit.MariaDbExtension;
import java.sql.Connection;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Connect-phase failures are retried with backoff within the attempts and the time budget. */
@ExtendWith(MariaDbExtension.class)
@Timeout(60)
class ConnectRetryTest {

    @Test
    void aConnectRecoversWhenTheServerAcceptsAgain(EmbeddedMariaDb db) throws Exception {
        try (FaultProxy proxy = FaultProxy.start(db.host(), db.port());
                Pools.Guarded guarded = Pools.guard(pool(db, proxy), builder -> builder
                        .maxAttempts(20).initialInterval(Duration.ofMillis(100)).maxInterval(Duration.ofMillis(400)))) {
            proxy.refuse(true);
            CompletableFuture<Void> back = CompletableFuture.runAsync(() -> {
                Pools.idle(Duration.ofMillis(1500));
                proxy.refuse(false);
            });

            try (Connection connection = guarded.dataSource().getConnection()) {
                assertThat(connection.isValid(1)).isTrue();
            }
            back.join();

            assertThat(guarded.failures(Cause.SERVER_UNREACHABLE, Phase.CONNECT)).isGreaterThanOrEqualTo(1);
            assertThat(guarded.outcomes(Cause.SERVER_UNREACHABLE, "recovered")).isEqualTo(1);
            assertThat(guarded.registry().find("linkguard.recovery").timer().count()).isEqualTo(1);
            assertThat(guarded.registry().find("linkguard.retry.attempts").counter().count()).isPositive();
        }
    }

    @Test
    void attemptsRunOutAndTheLastFailureSurfacesDiagnosed(EmbeddedMariaDb db) throws Exception {
        try (FaultProxy proxy = FaultProxy.start(db.host(), db.port());
                Pools.Guarded guarded = Pools.guard(pool(db, proxy), builder -> builder.maxAttempts(3))) {
            proxy.refuse(true);

            Diagnosis diagnosis = diagnosisOf(() -> guarded.dataSource().getConnection().close());

            assertThat(diagnosis.cause()).isEqualTo(Cause.SERVER_UNREACHABLE);
            assertThat(guarded.failures(Cause.SERVER_UNREACHABLE, Phase.CONNECT)).isEqualTo(3);
            assertThat(guarded.outcomes(Cause.SERVER_UNREACHABLE, "exhausted")).isEqualTo(1);
            assertThat(guarded.registry().find("linkguard.retry.attempts").counter().count()).isEqualTo(2);
        }
    }

    @Test
    void theTimeBudgetStopsRetries(EmbeddedMariaDb db) throws Exception {
        try (FaultProxy proxy = FaultProxy.start(db.host(), db.port());
                Pools.Guarded guarded = Pools.guard(pool(db, proxy), builder -> builder
                        .maxAttempts(1000).initialInterval(Duration.ofMillis(50)).maxInterval(Duration.ofMillis(50))
                        .retryBudget(Duration.ofMillis(1500)))) {
            proxy.refuse(true);
            long start = System.nanoTime();

            diagnosisOf(() -> guarded.dataSource().getConnection().close());

            // the budget, plus at most one attempt (the pool's 500 ms) and the probe that diagnoses it
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(1500 + 500 + 2000));
            assertThat(guarded.outcomes(Cause.SERVER_UNREACHABLE, "exhausted")).isEqualTo(1);
        }
    }

    @Test
    void aTlsFailureIsNotRetried(EmbeddedMariaDb db) throws Exception {
        HikariDataSource pool = Pools.hikari(db, db.jdbcUrl().replace("sslMode=DISABLED", "sslMode=VERIFY_CA"), 500);
        try (Pools.Guarded guarded = Pools.guard(pool, builder -> builder.maxAttempts(5))) {
            diagnosisOf(() -> guarded.dataSource().getConnection().close());

            assertThat(guarded.failures(Cause.UNKNOWN, Phase.CONNECT)).isEqualTo(1);
            assertThat(guarded.notRetried(Cause.UNKNOWN)).isEqualTo(1);
        }
    }

    private static HikariDataSource pool(EmbeddedMariaDb db, FaultProxy proxy) {
        return Pools.hikari(db, EmbeddedMariaDb.jdbcUrl(proxy.host(), proxy.port()), 500);
    }
}
