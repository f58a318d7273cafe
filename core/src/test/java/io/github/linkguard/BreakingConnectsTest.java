package io.github.linkguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mysql.cj.jdbc.MysqlDataSource;
import com.zaxxer.hikari.HikariDataSource;
import io.github.linkguard.testkit.CountingDataSource;
import io.github.linkguard.testkit.EmbeddedMariaDb;
import io.github.linkguard.testkit.FaultProxy;
import io.github.linkguard.testkit.MariaDbExtension;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The server is there but its new connections break as they are made, after its greeting (sessions killed as they
 * start, under a storm of kills): that is no outage, so LinkGuard under the pool tries again soon while operations
 * wait, not at its outage pace. Before, it paced such attempts by {@code reconnectInterval} and, its port knock
 * having said "open" before an attempt that broke, stopped believing the knock until the port refused, which it
 * never did: under kills every 50 ms the pool sat empty for 30 s. With a {@code reconnectInterval} of 40 s the
 * outage pace puts the next attempt 30 to 50 s later, so a read that succeeds well before was not paced so.
 */
@ExtendWith(MariaDbExtension.class)
@Timeout(120)
class BreakingConnectsTest {

    private static final Duration INTERVAL = Duration.ofSeconds(40);

    @ParameterizedTest(name = "TLS {0}")
    @ValueSource(booleans = {false, true})
    void connectionsThatBreakAsTheyAreMadeAreTriedAgainSoonNotAtTheOutagePace(boolean tls, EmbeddedMariaDb db)
            throws Exception {
        try (FaultProxy proxy = FaultProxy.start(db.host(), db.port())) {
            HikariDataSource pool = new HikariDataSource(); // not started: LinkGuard sits under it
            pool.setPoolName("breaking-" + tls);
            pool.setJdbcUrl(Pools.url(EmbeddedMariaDb.jdbcUrl(proxy.host(), proxy.port()), tls));
            pool.setUsername(db.user());
            pool.setPassword(db.password());
            pool.setMaximumPoolSize(1);
            pool.setConnectionTimeout(60_000);
            try (Pools.Guarded guarded = Pools.guard(pool, builder -> builder.reconnectInterval(INTERVAL));
                    Connection connection = guarded.dataSource().getConnection()) {
                assertThat(Pools.number(connection, "SELECT 1")).isEqualTo(1);
                proxy.cutAfter(FaultProxy.Direction.CLIENT_TO_SERVER, 0); // the greeting comes, the link breaks
                proxy.dropAll();
                long broken = System.nanoTime();
                Thread healed = new Thread(() -> {
                    // three connections broke after the greeting (the pool's, the diagnosis probe's, the pool's
                    // again): at the outage pace the next is due 30 s later at the earliest
                    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                    while (proxy.cuts() < 3 && System.nanoTime() < deadline) {
                        Pools.idle(Duration.ofMillis(10));
                    }
                    proxy.heal();
                });
                healed.start();

                assertThat(Pools.number(connection, "SELECT 2")).isEqualTo(2); // on a fresh link
                Duration recovered = Duration.ofNanos(System.nanoTime() - broken);
                healed.join();

                System.out.printf("BreakingConnectsTest: TLS %s: read again %d ms after connections began to "
                        + "break, %d broke%n", tls, recovered.toMillis(), proxy.cuts());
                assertThat(proxy.cuts()).as("connections that broke after the greeting").isGreaterThanOrEqualTo(3);
                assertThat(recovered).as("tried again soon, not at the next interval (30 s at the earliest)")
                        .isLessThan(INTERVAL.multipliedBy(3).dividedBy(4));
            }
        }
    }

    /**
     * What accepts for a server that is away (a proxy whose server is down: it takes the connection, then drops it,
     * no greeting) is not taken for a server whose sessions break: after the attempt the open port set off, the next
     * comes at the outage pace, 30 s later at the earliest. Counted over 8 s: the first attempt, the diagnosis
     * probe's unless it took the gate's answer, the one the knock set off, and none more (at a look's pause, 2 s,
     * there would be more).
     */
    @Test
    void somethingThatAcceptsForAServerThatIsAwayIsTriedAtTheOutagePace(EmbeddedMariaDb db) throws Exception {
        try (FaultProxy proxy = FaultProxy.start(db.host(), db.port())) {
            MysqlDataSource driver = new MysqlDataSource();
            driver.setURL(EmbeddedMariaDb.jdbcUrl(proxy.host(), proxy.port()));
            driver.setUser(db.user());
            driver.setPassword(db.password());
            CountingDataSource counting = new CountingDataSource(driver);
            HikariDataSource pool = new HikariDataSource();
            pool.setPoolName("accepting-for-away");
            pool.setDataSource(counting);
            pool.setMaximumPoolSize(1);
            try (Pools.Guarded guarded = Pools.guard(pool, builder -> builder.reconnectInterval(INTERVAL).maxAttempts(1));
                    Connection connection = guarded.dataSource().getConnection()) {
                assertThat(Pools.number(connection, "SELECT 1")).isEqualTo(1);
                proxy.retarget(db.host(), closedPort()); // the proxy accepts, then drops: its server is away
                proxy.dropAll();
                long away = System.nanoTime();
                assertThatThrownBy(() -> Pools.number(connection, "SELECT 2")).isInstanceOf(SQLException.class);
                Pools.idle(Duration.ofSeconds(8));

                assertThat(counting.attemptsBetween(away, System.nanoTime())).as("the pool's connect attempts")
                        .isBetween(1L, 3L);
            }
        }
    }

    /** A loopback port nothing listens on. */
    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
