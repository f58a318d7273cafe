package io.github.linkguard.internal.pool;

import com.mysql.cj.conf.ConnectionUrl;
import com.mysql.cj.conf.HostInfo;
import com.mysql.cj.conf.PropertyKey;
import com.mysql.cj.jdbc.MysqlDataSource;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.sql.SQLException;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;

/**
 * Tells when a server's port accepts connections again, cheaply and often: a TCP connect closed at once, where a
 * JDBC attempt costs a handshake, TLS and a login. While the server is away the kernel refuses such a connect at
 * once, so the refill gate can knock every few milliseconds between its JDBC attempts and make its next attempt
 * as soon as the port opens, instead of up to a whole {@code reconnectInterval} later. The knock that finds the
 * port open reaches the server as a connection closed before its handshake (one {@code Aborted_connects} per
 * outage); a knock is no evidence when something else accepts for the server (a proxy), which the gate learns
 * from the JDBC attempt that follows it: when that attempt fails, a knock that waits for the server's greeting
 * tells a server whose new sessions break as they begin from something accepting for a server that is away.
 */
final class PortKnock implements Watch {

    /** The longest a knock waits for an answer (a host that drops packets gives none). */
    private static final long KNOCK_TIMEOUT_MILLIS = 100;
    /** The longest {@link #serverAnswers()} waits for a connection and the server's greeting. */
    private static final long GREETING_TIMEOUT_MILLIS = 1_000;
    /** The protocol version a MySQL or MariaDB server's greeting starts with. */
    private static final byte PROTOCOL_VERSION = 10;

    private final String host;
    private final int port;

    PortKnock(String host, int port) {
        this.host = host;
        this.port = port;
    }

    /**
     * The server {@code pool} connects to, if it is one server reached by TCP through Connector/J (a JDBC URL of
     * one host, or a {@link MysqlDataSource}, also behind wrappers); null otherwise (several hosts, a socket
     * factory of the application's, another driver), where the gate keeps to its JDBC attempts alone.
     */
    static PortKnock of(HikariDataSource pool, DataSource given) {
        String factoryKey = PropertyKey.socketFactory.getKeyName();
        try {
            String url;
            String socketFactory;
            if (given == null) {
                url = pool.getJdbcUrl();
                socketFactory = pool.getDataSourceProperties().getProperty(factoryKey);
            } else {
                MysqlDataSource driver = driverOf(given);
                if (driver == null) {
                    return null;
                }
                url = driver.getUrl();
                socketFactory = driver.getSocketFactory();
            }
            if (url == null || !ConnectionUrl.acceptsUrl(url)) {
                return null;
            }
            ConnectionUrl parsed = ConnectionUrl.getConnectionUrlInstance(url, new Properties());
            if (parsed.getType() != ConnectionUrl.Type.SINGLE_CONNECTION) {
                return null;
            }
            HostInfo server = parsed.getMainHost();
            if (server.getProperty(factoryKey) != null) {
                socketFactory = server.getProperty(factoryKey);
            }
            if (socketFactory != null && !socketFactory.endsWith(".StandardSocketFactory")) {
                return null; // a Unix socket, a tunnel: the host and port are not where the driver connects
            }
            return new PortKnock(server.getHost(), server.getPort());
        } catch (Exception | LinkageError unparsable) {
            return null;
        }
    }

    /**
     * Connector/J's DataSource under {@code given}, or null. Its own {@code unwrap} answers null for its class, so
     * a wrapper that hands it out must do so itself.
     */
    private static MysqlDataSource driverOf(DataSource given) throws SQLException {
        if (given instanceof MysqlDataSource driver) {
            return driver;
        }
        return given.isWrapperFor(MysqlDataSource.class) ? given.unwrap(MysqlDataSource.class) : null;
    }

    /**
     * Knocks until the port accepts a connection ({@link Chance#NOW}), for up to {@code nanos}, a knock every
     * {@code pauseNanos}. Refused at once to the last, the server is surely away ({@link Chance#NONE}); a knock
     * that got no answer in time tells nothing ({@link Chance#DUE}).
     */
    @Override
    public Chance await(long nanos, long pauseNanos, BooleanSupplier stop) throws InterruptedException {
        long end = System.nanoTime() + nanos;
        Chance last = Chance.DUE;
        while (!stop.getAsBoolean()) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                return last;
            }
            long timeout = Math.max(1, Math.min(KNOCK_TIMEOUT_MILLIS, TimeUnit.NANOSECONDS.toMillis(left)));
            long knocked = System.nanoTime();
            last = knock((int) timeout);
            if (last == Chance.NOW) {
                return last;
            }
            long sleep = Math.min(end, knocked + pauseNanos) - System.nanoTime();
            if (sleep > 0) {
                TimeUnit.NANOSECONDS.sleep(sleep);
            }
        }
        return Chance.DUE;
    }

    /**
     * A knock that waits for the server's greeting: a MySQL handshake packet (sequence 0, protocol 10) arriving
     * within {@value #GREETING_TIMEOUT_MILLIS} ms. It reaches the server as a connection closed before its login
     * (one {@code Aborted_connects}); a proxy that accepts for a server that is away sends no greeting.
     */
    @Override
    public boolean serverAnswers() {
        try (Socket socket = new Socket()) {
            socket.setSoLinger(true, 0);
            socket.connect(new InetSocketAddress(host, port), (int) GREETING_TIMEOUT_MILLIS);
            socket.setSoTimeout((int) GREETING_TIMEOUT_MILLIS);
            InputStream in = socket.getInputStream();
            byte[] start = new byte[5]; // a packet's length (3 bytes) and sequence, then the protocol version
            return in.readNBytes(start, 0, start.length) == start.length && start[3] == 0
                    && start[4] == PROTOCOL_VERSION;
        } catch (IOException | RuntimeException noGreeting) {
            return false;
        }
    }

    /** One knock: a TCP connection made (and closed at once), refused, or no answer in time. */
    private Chance knock(int timeoutMillis) {
        try (Socket socket = new Socket()) {
            socket.setSoLinger(true, 0); // closed with a reset: nothing lingers on either side
            socket.connect(new InetSocketAddress(host, port), timeoutMillis);
            return Chance.NOW;
        } catch (ConnectException refused) {
            return Chance.NONE; // nothing listens on the port (a reset came back)
        } catch (IOException | RuntimeException noAnswer) {
            return Chance.DUE; // a timeout, an unknown host: the driver's attempt will say
        }
    }

    @Override
    public String toString() {
        return host + ":" + port;
    }
}
