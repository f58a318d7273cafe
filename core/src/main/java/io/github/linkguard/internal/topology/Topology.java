package io.github.linkguard.internal.topology;

import com.mysql.cj.conf.ConnectionUrl;
import com.mysql.cj.conf.HostInfo;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.util.DriverDataSource;
import io.github.linkguard.internal.diagnosis.ExceptionEvidence;
import io.github.linkguard.internal.diagnosis.ServerProbe;
import io.github.linkguard.internal.metrics.LinkGuardMetrics;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The servers a pool's JDBC URL names (a Connector/J multi-host URL) and which of them is the writer now: why
 * LinkGuard keeps writing through a failover where the driver alone would fail over to a read-only replica and
 * stay there.
 *
 * <p>Every physical connection the pool opens goes to the writer. While the writer answers, that is one connect,
 * as without LinkGuard. When it does not (or none is known yet), every server is asked at once, bounded by
 * {@value #LEARN_TIMEOUT_MILLIS} ms, what it is ({@link ServerRole}), and the writer's connection is the one
 * returned: learning costs no connect more to the writer. The writer stays the writer while it answers, so a
 * demoted primary that comes back writable (a "zombie") gets no connection while the promoted one lives. With
 * no writer (a promotion under way) the connect fails with {@link NoWriterException}: the pool's refill tries
 * again at LinkGuard's pace, and the failure is diagnosed as {@code failover}.
 */
public final class Topology {

    /** Opens one physical connection to a server, as the pool would. */
    @FunctionalInterface
    public interface Opener {
        Connection open(DataSource server) throws SQLException;
    }

    /** How long learning waits for the servers' answers. */
    static final long LEARN_TIMEOUT_MILLIS = 2_000;

    private static final Logger log = LoggerFactory.getLogger("io.github.linkguard.LinkGuard");

    private final String dataSource;
    private final LinkGuardMetrics metrics;
    private final List<Server> servers;
    private volatile Server writer;
    /** The writer before the current one was learned: chosen last among several writable servers. */
    private volatile Server lost;

    private Topology(String dataSource, LinkGuardMetrics metrics, List<Server> servers) {
        this.dataSource = dataSource;
        this.metrics = metrics;
        this.servers = servers;
    }

    /**
     * The topology of {@code pool}'s JDBC URL when it names several servers (Connector/J's failover form,
     * {@code jdbc:mysql://host1:port1,host2:port2/db?...}), or of {@code addresses} in place of the URL's own
     * (its database and properties kept); null for one server, another form, or no URL.
     *
     * @param addresses servers ({@code host} or {@code host:port}) that replace the URL's; empty for the URL's
     * @throws IllegalArgumentException when {@code addresses} are given but the pool's URL is not a plain
     *         {@code jdbc:mysql://} URL they could replace the hosts of
     */
    public static Topology of(String dataSource, HikariDataSource pool, List<String> addresses, LinkGuardMetrics metrics) {
        String url = addresses.isEmpty() ? pool.getJdbcUrl() : withHosts(pool.getJdbcUrl(), addresses);
        if (url == null || !ConnectionUrl.acceptsUrl(url)) {
            return null;
        }
        ConnectionUrl parsed = ConnectionUrl.getConnectionUrlInstance(url, new Properties());
        if (parsed.getType() != ConnectionUrl.Type.FAILOVER_CONNECTION || parsed.hostsCount() < 2) {
            return null;
        }
        List<Server> servers = new ArrayList<>();
        for (HostInfo host : parsed.getHostsList()) {
            Properties properties = new Properties();
            properties.putAll(host.getHostProperties());
            properties.remove("dbname");
            properties.putAll(pool.getDataSourceProperties());
            String database = host.getDatabase() == null ? "" : host.getDatabase();
            String user = pool.getUsername() != null ? pool.getUsername() : host.getUser();
            String password = pool.getPassword() != null ? pool.getPassword() : host.getPassword();
            String alone = "jdbc:mysql://" + host.getHostPortPair() + "/" + database;
            String driver = pool.getDriverClassName();
            servers.add(new Server(host.getHostPortPair(), new DriverDataSource(alone, driver, properties, user, password),
                    timeout -> new DriverDataSource(alone, driver, bounded(properties, timeout), user, password)));
        }
        return new Topology(dataSource, metrics, List.copyOf(servers));
    }

    /** {@code properties} with connect and read timeouts of {@code timeout}. */
    private static Properties bounded(Properties properties, Duration timeout) {
        Properties bounded = new Properties();
        bounded.putAll(properties);
        bounded.setProperty("connectTimeout", Long.toString(timeout.toMillis()));
        bounded.setProperty("socketTimeout", Long.toString(timeout.toMillis()));
        return bounded;
    }

    /**
     * Where the diagnosis probe connects (connect and reads bounded by {@code timeout}): the writer, or while none
     * is known the writer lost last, the server a lost link was to; before any writer was known, {@code otherwise}.
     * The driver's failover would take the probe to whichever server answers, a replica's variables and counters
     * read as the evidence of the writer's lost link.
     */
    public ServerProbe.ConnectionSource probeSource(Duration timeout, ServerProbe.ConnectionSource otherwise) {
        Map<Server, DataSource> probes = new HashMap<>();
        servers.forEach(server -> probes.put(server, server.bounded().apply(timeout)));
        return () -> {
            Server current = writer;
            Server target = current != null ? current : lost;
            return target == null ? otherwise.open() : probes.get(target).getConnection();
        };
    }

    /** {@code url} (a {@code jdbc:mysql://} URL) with {@code servers} in place of its hosts. */
    private static String withHosts(String url, List<String> servers) {
        String scheme = "jdbc:mysql://";
        if (url == null || !url.startsWith(scheme)) {
            throw new IllegalArgumentException("servers need the pool's JDBC URL to be a jdbc:mysql:// URL whose hosts "
                    + "they replace (its database and properties kept), was " + (url == null ? "none" : "another form"));
        }
        int end = scheme.length();
        while (end < url.length() && url.charAt(end) != '/' && url.charAt(end) != '?') {
            end++;
        }
        return scheme + String.join(",", servers) + url.substring(end);
    }

    /**
     * A new connection to the writer: to the known one if it answers, else to the one the servers name now.
     *
     * @throws NoWriterException when no server is the writer now
     * @throws SQLException what the known writer answered when it failed otherwise than by a lost link
     */
    public Connection connect(Opener opener) throws SQLException {
        Server current = writer;
        if (current != null) {
            Connection connection;
            try {
                connection = opener.open(current.dataSource());
            } catch (SQLException failure) {
                if (!ExceptionEvidence.of(failure).isLinkFailure()) {
                    throw failure;
                }
                forget(current);
                return learn(opener);
            }
            if (writer == current) {
                return connection;
            }
            ServerRole.closeQuietly(connection); // it stopped being the writer while it was made: not to the pool
        }
        return learn(opener);
    }

    /** Whether a writer is known now. */
    public boolean writerKnown() {
        return writer != null;
    }

    /** How to connect to each server alone, in the URL's order (for watching them while no writer is known). */
    public List<DataSource> serverSources() {
        return servers.stream().map(Server::dataSource).toList();
    }

    /** Why the server of {@code connection} is not the writer now (read-only, replicating, ...), or null if it is. */
    public static String whyNotWriter(Connection connection) throws SQLException {
        return ServerRole.whyNotWriter(connection);
    }

    /** Closes a connection to a server that is let go of (null: nothing), whatever the server says. */
    public static void closeQuietly(Connection connection) {
        ServerRole.closeQuietly(connection);
    }

    /** The writer's address ({@code host:port}), or null while none is known: for meters and endpoints. */
    public String writer() {
        Server current = writer;
        return current == null ? null : current.address();
    }

    /** The addresses of the servers, in the URL's order. */
    public List<String> addresses() {
        return servers.stream().map(Server::address).toList();
    }

    /**
     * The server at {@code address} said it is read-only or not ready: if it was the writer, the writer is learned
     * again with the next connection. Whether it was. A null address (the connection was closed before it could be
     * read) is taken for the writer's: learning again costs a round of questions, keeping a lost writer costs writes.
     */
    public boolean notWriter(String address) {
        Server current = writer;
        if (current != null && (address == null || current.address().equals(address))) {
            forget(current);
            return true;
        }
        return false;
    }

    private synchronized void forget(Server current) {
        if (writer == current) {
            writer = null;
            lost = current;
            metrics.writer(-1);
            log.warn("[{}] the writer {} is lost or read-only: asking the servers of the URL which one writes now", dataSource,
                    current.address());
        }
    }

    private synchronized Connection learn(Opener opener) throws SQLException {
        Server current = writer;
        if (current != null) {
            return opener.open(current.dataSource()); // learned by another thread meanwhile
        }
        List<CompletableFuture<ServerRole>> asked = new ArrayList<>();
        for (Server server : servers) {
            asked.add(CompletableFuture.supplyAsync(() -> ServerRole.ask(server.address(), server.dataSource(), opener),
                    Topology::daemon));
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LEARN_TIMEOUT_MILLIS);
        List<ServerRole> roles = new ArrayList<>();
        for (int i = 0; i < servers.size(); i++) {
            roles.add(answer(servers.get(i), asked.get(i), deadline));
        }
        ServerRole chosen = choose(roles);
        for (ServerRole role : roles) {
            if (role != chosen) {
                role.close();
            }
        }
        if (chosen == null) {
            Server gone = lost;
            throw new NoWriterException(roles, gone == null ? null : roles.get(servers.indexOf(gone)).failure());
        }
        Server server = servers.get(roles.indexOf(chosen));
        log.info("[{}] the writer is {}", dataSource, server.address());
        writer = server;
        metrics.writer(servers.indexOf(server));
        return chosen.connection();
    }

    /** The server's answer, or that it gave none in time (a late connection is closed when it comes). */
    private static ServerRole answer(Server server, CompletableFuture<ServerRole> asked, long deadline) {
        try {
            return asked.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException late) {
            asked.thenAccept(ServerRole::close);
            return ServerRole.silent(server.address(), "no answer within " + LEARN_TIMEOUT_MILLIS + " ms");
        } catch (ExecutionException e) {
            return ServerRole.silent(server.address(), String.valueOf(e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            asked.thenAccept(ServerRole::close);
            return ServerRole.silent(server.address(), "interrupted");
        }
    }

    /**
     * The writer among the answers: a writable server that replicates from none (or a ready Galera node), in the
     * URL's order, the one lost last only if it is the only one; several such servers are said (two primaries).
     */
    private ServerRole choose(List<ServerRole> roles) {
        ServerRole chosen = null;
        for (int i = 0; i < roles.size() && chosen == null; i++) {
            if (roles.get(i).writer() && servers.get(i) != lost) {
                chosen = roles.get(i);
            }
        }
        for (int i = 0; i < roles.size() && chosen == null; i++) {
            if (roles.get(i).writer()) {
                chosen = roles.get(i);
            }
        }
        if (writerCount(roles) > 1 && !allGalera(roles)) {
            log.warn("[{}] several servers of the URL are writable and replicate from none ({}): writing to {}; an "
                    + "orchestrator should have made the others read-only", dataSource, roles.stream()
                            .filter(ServerRole::writer).map(ServerRole::address).toList(), chosen.address());
        }
        return chosen;
    }

    private static long writerCount(List<ServerRole> roles) {
        return roles.stream().filter(ServerRole::writer).count();
    }

    private static boolean allGalera(List<ServerRole> roles) {
        return roles.stream().filter(ServerRole::writer).allMatch(ServerRole::galera);
    }

    private static void daemon(Runnable task) {
        Thread thread = new Thread(task, "linkguard-writer-probe");
        thread.setDaemon(true);
        thread.start();
    }

    /** A server of the URL: its address, how to connect to it alone, and so with timeouts (for the probe). */
    private record Server(String address, DataSource dataSource, Function<Duration, DataSource> bounded) {
    }
}
