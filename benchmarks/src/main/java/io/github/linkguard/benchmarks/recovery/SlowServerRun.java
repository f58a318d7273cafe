package io.github.linkguard.benchmarks.recovery;

import com.mysql.cj.jdbc.MysqlDataSource;
import com.zaxxer.hikari.HikariDataSource;
import io.github.linkguard.benchmarks.Pools;
import io.github.linkguard.benchmarks.Pools.Side;
import io.github.linkguard.benchmarks.Table;
import io.github.linkguard.benchmarks.load.CallLoop;
import io.github.linkguard.benchmarks.load.LoopbackLoad;
import io.github.linkguard.testkit.EmbeddedMariaDb;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;

/**
 * A server that is slow, not gone: every read takes 1.5 s on the server and the client's {@code socketTimeout}
 * is 1 s, so every call fails. Counted on the server (each execution leaves a row in a MyISAM table, kept
 * whatever happens to the statement): how many statements each application call cost it, and how long the
 * calls took, bare HikariCP and LinkGuard side by side at once.
 */
public final class SlowServerRun {

    static final int THREADS = 4;
    static final int SOCKET_TIMEOUT_MILLIS = 1_000;

    private SlowServerRun() {
    }

    /** @param quick a smoke run: a few calls, measuring nothing */
    public static String run(boolean quick) {
        Table table = new Table("A slow server: every read outlives socketTimeout (" + SOCKET_TIMEOUT_MILLIS
                + " ms), " + THREADS + " threads per side, both sides at once",
                "Side", "Calls", "Failed", "Executions on the server", "Executions per call", "Median call (ms)",
                "Mean call (ms)");
        try (EmbeddedMariaDb server = EmbeddedMariaDb.builder().start()) {
            server.execute("USE " + EmbeddedMariaDb.DATABASE,
                    "CREATE TABLE executions (id INT AUTO_INCREMENT PRIMARY KEY, side VARCHAR(16)) ENGINE=MyISAM",
                    "CREATE FUNCTION slow_read(side VARCHAR(16)) RETURNS INT NOT DETERMINISTIC MODIFIES SQL DATA "
                            + "BEGIN INSERT INTO executions (side) VALUES (side); DO SLEEP(1.5); RETURN 1; END");
            Map<Side, Calls> calls = new EnumMap<>(Side.class);
            List<AutoCloseable> open = new ArrayList<>();
            try {
                for (Side side : Side.values()) {
                    MysqlDataSource driver = LoopbackLoad.driver(server);
                    driver.setUrl(server.jdbcUrl() + "&socketTimeout=" + SOCKET_TIMEOUT_MILLIS);
                    HikariDataSource pool = Pools.unstartedHikari("slow-" + side, driver, THREADS);
                    open.add(pool);
                    DataSource front = Pools.front(side, pool, "slow", new SimpleMeterRegistry());
                    Pools.fill(front, pool, THREADS);
                    Calls observed = new Calls();
                    String sql = "SELECT slow_read('" + side + "')";
                    open.add(new CallLoop("slow-" + side, front, dataSource -> read(dataSource, sql), THREADS, 0,
                            observed));
                    calls.put(side, observed);
                }
                CallLoop.pause(quick ? 2_500 : 30_000);
            } finally {
                for (int i = open.size() - 1; i >= 0; i--) {
                    close(open.get(i));
                }
            }
            CallLoop.pause(2_000); // what was sent has finished on the server
            for (Side side : Side.values()) {
                Calls observed = calls.get(side);
                long executions = executions(server, side);
                table.row(side.label(), observed.durations.size(), observed.failed, executions,
                        Table.number(executions / (double) Math.max(1, observed.durations.size()), 2),
                        Table.number(observed.median() / 1e6, 0), Table.number(observed.mean() / 1e6, 0));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not count the executions", e);
        }
        return table.toString();
    }

    private static void read(DataSource dataSource, String sql) throws SQLException {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
        }
    }

    private static long executions(EmbeddedMariaDb server, Side side) throws SQLException {
        try (Connection admin = server.adminConnection(); Statement statement = admin.createStatement();
                ResultSet rows = statement.executeQuery("SELECT COUNT(*) FROM " + EmbeddedMariaDb.DATABASE
                        + ".executions WHERE side = '" + side + "'")) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private static void close(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            throw new IllegalStateException("could not close " + closeable, e);
        }
    }

    /** What the application's calls took, and how many failed. */
    private static final class Calls implements CallLoop.Observer {
        final ConcurrentLinkedQueue<Long> durations = new ConcurrentLinkedQueue<>();
        volatile long failed;

        @Override
        public synchronized void called(long startNanos, long endNanos, SQLException failure) {
            durations.add(endNanos - startNanos);
            if (failure != null) {
                failed++;
            }
        }

        double median() {
            List<Long> sorted = new ArrayList<>(durations);
            Collections.sort(sorted);
            return sorted.isEmpty() ? 0 : sorted.get(sorted.size() / 2);
        }

        double mean() {
            return durations.stream().mapToLong(Long::longValue).average().orElse(0);
        }
    }
}
