package io.github.linkguard.internal.preflight;

import io.github.linkguard.Diagnosis;
import io.github.linkguard.Finding;
import io.github.linkguard.Finding.Severity;
import io.github.linkguard.internal.diagnosis.ClientSettings;
import io.github.linkguard.internal.diagnosis.ServerProbe;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The classic misconfigurations behind "Communications link failure", checked before the first lost link:
 * the pool's settings, the driver's as the pool's connections see them, and the server's as a pooled session
 * sees them. Each rule is one method that names both settings, their values and the value to use.
 */
public final class Preflight {

    /** The margin HikariCP's documentation asks between {@code maxLifetime} and the server's idle limit. */
    private static final long MARGIN_SECONDS = 30;

    private Preflight() {
    }

    /**
     * Reads the server over {@code sessions} (a connection made with the pool's settings) and checks
     * everything; a server that cannot be reached is a finding, never an exception.
     *
     * @param pool the pool's settings, or null if the DataSource is not a HikariCP pool
     */
    public static List<Finding> check(PoolSettings pool, ClientSettings client, ServerProbe.ConnectionSource sessions) {
        ServerSettings server;
        try (Connection session = sessions.open()) {
            server = ServerSettings.read(session);
        } catch (SQLException | RuntimeException e) {
            List<Finding> findings = findings(pool, client, null);
            findings.add(0, unreachable(e));
            return findings;
        }
        return findings(pool, client, server);
    }

    /** The findings of these settings; {@code server} null when it could not be read. */
    static List<Finding> findings(PoolSettings pool, ClientSettings client, ServerSettings server) {
        List<Finding> findings = new ArrayList<>();
        if (pool != null) {
            keepaliveNotBelowMaxLifetime(pool, findings);
        }
        noSocketTimeout(client, findings);
        shortClientConnectTimeout(client, findings);
        noTcpKeepAlive(client, findings);
        if (pool != null) {
            borrowTimeoutBelowConnectTimeout(pool, client, findings);
        }
        if (server != null) {
            if (pool != null) {
                maxLifetimeOverIdleLimit(pool, client, server, findings);
                poolOverMaxConnections(pool, server, findings);
            }
            shortServerConnectTimeout(server, findings);
            streamingUnderShortNetWriteTimeout(client, server, findings);
            smallMaxAllowedPacket(server, findings);
        }
        return findings;
    }

    private static Finding unreachable(Exception failure) {
        String why = Diagnosis.of(failure).map(Diagnosis::summary).orElse(failure.getClass().getSimpleName() + ": "
                + failure.getMessage());
        return new Finding("server-unreachable", Severity.ERROR, "The server could not be reached to check its "
                + "settings (" + why + "): check the URL's host and port and that the server runs; every connection "
                + "will fail the same way until it does.");
    }

    private static void keepaliveNotBelowMaxLifetime(PoolSettings pool, List<Finding> findings) {
        if (pool.keepaliveTimeMillis() > 0 && pool.maxLifetimeMillis() > 0
                && pool.keepaliveTimeMillis() >= pool.maxLifetimeMillis()) {
            long use = Math.max(30_000, Math.min(120_000, pool.maxLifetimeMillis() / 2));
            findings.add(new Finding("keepalive-not-below-max-lifetime", Severity.WARNING, "HikariCP keepaliveTime ("
                    + pool.keepaliveTimeMillis() + " ms) is not below maxLifetime (" + pool.maxLifetimeMillis()
                    + " ms), so HikariCP turns keepalive off without a word and idle connections die on firewalls, "
                    + "NAT and the server's wait_timeout: set keepaliveTime to " + use + " ms (below maxLifetime and "
                    + "below the shortest idle limit on the path)."));
        }
    }

    private static void noSocketTimeout(ClientSettings client, List<Finding> findings) {
        if (client.socketTimeoutMillis() == 0) {
            findings.add(new Finding("no-socket-timeout", Severity.WARNING, "Connector/J socketTimeout is 0 (wait "
                    + "forever), so a server or a network path that stops answering hangs the calling thread for good "
                    + "(the pool's connectionTimeout does not apply once a connection is in use): set socketTimeout "
                    + "above the slowest statement, e.g. socketTimeout=30000 in the URL, and bound statements on the "
                    + "server (max_statement_time, max_execution_time)."));
        }
    }

    private static void shortClientConnectTimeout(ClientSettings client, List<Finding> findings) {
        if (client.connectTimeoutMillis() > 0 && client.connectTimeoutMillis() < 1_000) {
            findings.add(new Finding("connect-timeout-short", Severity.WARNING, "Connector/J connectTimeout is "
                    + client.connectTimeoutMillis() + " ms, shorter than a handshake can take on a busy server or with "
                    + "TLS (the server's connect_timeout allows it seconds): set connectTimeout to 10000 ms."));
        }
    }

    private static void noTcpKeepAlive(ClientSettings client, List<Finding> findings) {
        if (client.connectTimeoutMillis() >= 0 && !client.tcpKeepAlive()) {
            findings.add(new Finding("no-tcp-keepalive", Severity.INFO, "Connector/J tcpKeepAlive is false: a link "
                    + "whose peer vanished (a crashed host, a NAT that forgot it) is noticed only when socketTimeout "
                    + "runs out, or never without one; set tcpKeepAlive=true (Connector/J's default)."));
        }
    }

    private static void borrowTimeoutBelowConnectTimeout(PoolSettings pool, ClientSettings client,
            List<Finding> findings) {
        if (client.connectTimeoutMillis() > pool.connectionTimeoutMillis()) {
            findings.add(new Finding("connection-timeout-below-connect-timeout", Severity.INFO, "HikariCP "
                    + "connectionTimeout (" + pool.connectionTimeoutMillis() + " ms) is shorter than Connector/J "
                    + "connectTimeout (" + client.connectTimeoutMillis() + " ms): a borrower gives up while the "
                    + "pool still waits for a slow handshake, and sees a pool timeout instead of the server's "
                    + "answer; set connectTimeout to at most " + pool.connectionTimeoutMillis() + " ms."));
        }
    }

    private static void maxLifetimeOverIdleLimit(PoolSettings pool, ClientSettings client, ServerSettings server,
            List<Finding> findings) {
        long limitMillis = server.waitTimeout() * 1000;
        long lifetime = pool.maxLifetimeMillis() == 0 ? Long.MAX_VALUE : pool.maxLifetimeMillis();
        long keepalive = pool.keepaliveTimeMillis() >= lifetime ? 0 : pool.keepaliveTimeMillis();
        if (lifetime < limitMillis || (keepalive > 0 && keepalive < limitMillis)) {
            return; // connections retire, or are pinged, before the server's idle limit
        }
        String limitName = client.interactiveClient() ? "interactive_timeout (interactiveClient=true)" : "wait_timeout";
        String scope = server.waitTimeout() == server.globalWaitTimeout() || client.interactiveClient() ? ""
                : "; the global value is " + server.globalWaitTimeout() + " s: the pool's sessions get theirs from its"
                        + " settings (sessionVariables or an init statement)";
        String fix = server.waitTimeout() > MARGIN_SECONDS * 2
                ? "set maxLifetime to " + (server.waitTimeout() - MARGIN_SECONDS) * 1000 + " ms (" + limitName
                        + " less 30 s)"
                : "raise " + limitName + " well above HikariCP's shortest maxLifetime (30 s)";
        findings.add(new Finding("max-lifetime-over-wait-timeout", Severity.WARNING, "HikariCP maxLifetime ("
                + (pool.maxLifetimeMillis() == 0 ? "0: forever" : pool.maxLifetimeMillis() + " ms") + ") is not below the"
                + " server's " + limitName + " as this pool's sessions see it (" + server.waitTimeout() + " s" + scope
                + "), and keepalive (" + pool.keepaliveTimeMillis() + " ms) does not ping them in time: the server "
                + "closes idle connections first and the next borrow fails with \"Communications link failure\". "
                + capitalize(fix) + ", or keepaliveTime below " + limitMillis + " ms."));
    }

    private static void poolOverMaxConnections(PoolSettings pool, ServerSettings server, List<Finding> findings) {
        if (pool.maximumPoolSize() > server.maxConnections()) {
            findings.add(new Finding("pool-over-max-connections", Severity.ERROR, "HikariCP maximumPoolSize ("
                    + pool.maximumPoolSize() + ") is above the server's max_connections (" + server.maxConnections()
                    + "): the pool can never fill and the server refuses other clients with error 1040; set "
                    + "maximumPoolSize to at most " + server.maxConnections() + " less every other client's "
                    + "connections (all instances of all pools), or raise max_connections."));
        }
    }

    private static void shortServerConnectTimeout(ServerSettings server, List<Finding> findings) {
        if (server.connectTimeout() < 5) {
            findings.add(new Finding("server-connect-timeout-short", Severity.WARNING, "The server's connect_timeout is "
                    + server.connectTimeout() + " s, shorter than a handshake can take on a busy server, a slow network"
                    + " or with TLS (\"reading authorization packet\", Aborted_connects rising): SET GLOBAL "
                    + "connect_timeout = 10 (the default)."));
        }
    }

    private static void streamingUnderShortNetWriteTimeout(ClientSettings client, ServerSettings server,
            List<Finding> findings) {
        if (client.netTimeoutForStreamingResults() == 0 && server.netWriteTimeout() < 60) {
            findings.add(new Finding("streaming-under-short-net-write-timeout", Severity.WARNING, "Connector/J "
                    + "netTimeoutForStreamingResults is 0 and the server's net_write_timeout is "
                    + server.netWriteTimeout() + " s: a streamed result read slower than that loses its link "
                    + "(transfer-timeout); set netTimeoutForStreamingResults=600 (Connector/J's default) in the URL, "
                    + "or net_write_timeout to 60 s or more."));
        }
    }

    private static void smallMaxAllowedPacket(ServerSettings server, List<Finding> findings) {
        long fourMiB = 4L * 1024 * 1024;
        if (server.maxAllowedPacket() < fourMiB) {
            findings.add(new Finding("max-allowed-packet-small", Severity.INFO, "The server's max_allowed_packet is "
                    + server.maxAllowedPacket() + " bytes: any statement or value larger (a BLOB, a long IN list) "
                    + "fails with packet-too-large, never helped by a retry; SET GLOBAL max_allowed_packet = 67108864 "
                    + "(64 MiB, MySQL 8's default) if the application sends large values."));
        }
    }

    private static String capitalize(String text) {
        return Character.toUpperCase(text.charAt(0)) + text.substring(1);
    }
}
