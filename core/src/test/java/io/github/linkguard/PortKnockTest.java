package io.github.linkguard;

import static org.assertj.core.api.Assertions.assertThat;

import com.mysql.cj.jdbc.MysqlDataSource;
import com.zaxxer.hikari.HikariDataSource;
import io.github.linkguard.testkit.CountingDataSource;
import io.github.linkguard.testkit.EmbeddedMariaDb;
import io.github.linkguard.testkit.FaultProxy;
import io.github.linkguard.testkit.MariaDbExtension;
import java.sql.Connection;
import java.time.Duration;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * After an outage, LinkGuard under the pool connects as soon as the server's port opens, not at its next connect
 * attempt: between attempts it knocks at the port (a TCP connect, no handshake). With a {@code reconnectInterval}
 * of 40 s the attempt after the refused one comes 30 to 50 s later, so a read that succeeds before then was
 * connected by a knock. The pool opens its connections from a JDBC URL or from a DataSource (here one that counts
 * the driver's connect attempts: the knocks are not among them).
 */
@ExtendWith(MariaDbExtension.class)
@Timeout(120)
class PortKnockTest {

    private static final Duration INTERVAL = Duration.ofSeconds(40);

    @ParameterizedTest(name = "TLS {0}, pool from a JDBC URL {1}")
    @CsvSource({"false, false", "true, false", "true, true"})
    void aServerBackIsConnectedToWhenItsPortOpensNotAtTheNextAttempt(boolean tls, boolean fromUrl, EmbeddedMariaDb db)
            throws Exception {
        try (FaultProxy proxy = FaultProxy.start(db.host(), db.port())) {
            String url = Pools.url(EmbeddedMariaDb.jdbcUrl(proxy.host(), proxy.port()), tls);
            MysqlDataSource driver = new MysqlDataSource();
            driver.setURL(url);
            driver.setUser(db.user());
            driver.setPassword(db.password());
            CountingDataSource counting = new CountingDataSource(driver);
            HikariDataSource pool = new HikariDataSource(); // not started: LinkGuard sits under it
            pool.setPoolName("knock-" + tls + "-" + fromUrl);
            pool.setMaximumPoolSize(1);
            pool.setConnectionTimeout(60_000);
            if (fromUrl) {
                pool.setJdbcUrl(url);
                pool.setUsername(db.user());
                pool.setPassword(db.password());
            } else {
                pool.setDataSource(counting);
            }
            try (Pools.Guarded guarded = Pools.guard(pool, builder -> builder.reconnectInterval(INTERVAL));
                    Connection connection = guarded.dataSource().getConnection()) {
                assertThat(Pools.number(connection, "SELECT 1")).isEqualTo(1);
                proxy.refuse(true); // nothing listens on the server's port any more
                proxy.dropAll();
                long refused = System.nanoTime();
                Thread back = new Thread(() -> {
                    Pools.idle(Duration.ofSeconds(1));
                    proxy.refuse(false);
                });
                back.start();

                assertThat(Pools.number(connection, "SELECT 2")).isEqualTo(2); // on a fresh link
                Duration recovered = Duration.ofNanos(System.nanoTime() - refused);
                back.join();

                System.out.printf("PortKnockTest: TLS %s, from a URL %s: read again %d ms after the outage began "
                        + "(1 s), driver connect attempts %d%n", tls, fromUrl, recovered.toMillis(),
                        counting.attemptsBetween(refused, System.nanoTime()));
                assertThat(recovered).as("the outage and the reconnect, the next attempt being due after 0.75 "
                        + "intervals at the earliest").isLessThan(INTERVAL.multipliedBy(3).dividedBy(4));
                if (!fromUrl) {
                    // the one that met the closed port (the gate's, and the diagnosis probe's unless it took the
                    // gate's answer), then the one the knock set off: the knocks are not the driver's attempts
                    assertThat(counting.attemptsBetween(refused, System.nanoTime())).isBetween(2L, 3L);
                }
            }
        }
    }
}
