package io.github.linkguard.internal.diagnosis;

import io.github.linkguard.Cause;
import io.github.linkguard.Diagnosis;
import io.github.linkguard.Phase;
import io.github.linkguard.internal.diagnosis.ExceptionEvidence.Io;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * The one place that decides why a link was lost. It weighs the exception chain, what the application was
 * doing and the server's evidence, in the order the MySQL manual's "Lost connection" section reasons:
 * explicit server errors first, then the connect phase, client timeouts, transfer timeouts, a restart,
 * idle timeouts, and the network last.
 */
public final class Diagnostician {

    /** Payloads from this size up can outlive {@code net_read_timeout} on a slow link. */
    private static final long LARGE_PAYLOAD = 1024 * 1024;
    /** The server counts its timeouts in whole seconds; allow for our clock reading a little early. */
    private static final long TIMER_SLACK_MILLIS = 500;
    private static final int MAX_DETAIL = 200;

    private final String dataSource;
    private final ExceptionEvidence ex;
    private final Activity activity;
    private final ServerEvidence server;
    private final List<String> evidence = new ArrayList<>();

    private Diagnostician(String dataSource, ExceptionEvidence ex, Activity activity, ServerEvidence server) {
        this.dataSource = dataSource;
        this.ex = ex;
        this.activity = activity;
        this.server = server;
    }

    /**
     * Diagnoses a lost link.
     *
     * @param dataSource the LinkGuard DataSource's name, or null
     * @param ex the exception chain's evidence ({@link ExceptionEvidence#isLinkFailure()} should hold)
     * @param activity what the application was doing
     * @param server the server's evidence, or {@link ServerEvidence#NOT_READ}
     */
    public static Diagnosis diagnose(String dataSource, ExceptionEvidence ex, Activity activity, ServerEvidence server) {
        return new Diagnostician(dataSource, ex, activity, server).diagnose();
    }

    /** The phase a bare exception most likely failed in, from its texts. */
    public static Phase guessPhase(ExceptionEvidence ex) {
        if (ex.noPacketsReceived() || ex.hikariTimeout() != null || ex.linkGuardConnectTimeout()
                || ex.io() == Io.REFUSED || ex.io() == Io.UNKNOWN_HOST || ex.io() == Io.NO_ROUTE
                || ex.relayedText() == RelayedText.READING_AUTHORIZATION_PACKET
                || ex.relayedText() == RelayedText.READING_INITIAL_COMMUNICATION_PACKET
                || ex.hasVendorCode(ServerErrors.TOO_MANY_CONNECTIONS)
                || ex.hasVendorCode(ServerErrors.SECURE_TRANSPORT_REQUIRED) || ex.tlsFailure()) {
            return Phase.CONNECT;
        }
        if (ex.duringCommit()) {
            return Phase.COMMIT;
        }
        return ex.whileFetching() ? Phase.FETCH : Phase.EXECUTE;
    }

    private Diagnosis diagnose() {
        describeException();
        describeActivity();
        return decide();
    }

    private Diagnosis decide() {
        if (ex.noWriter()) {
            evidence.add("the servers of the URL said: " + ex.noWriterAnswers());
            return result(Cause.FAILOVER, "No server of the URL is the writer now: the primary is gone and none has "
                    + "been promoted yet (a failover under way), or the Galera nodes are not ready.",
                    "nothing, if an orchestrator promotes a server: LinkGuard connects to it as soon as it is writable; "
                            + "else promote one (replication stopped, read_only=OFF)");
        }
        if (ex.hasVendorCode(ServerErrors.WSREP_NOT_READY)) {
            evidence.add("error 1047: WSREP has not yet prepared node for application use");
            return result(Cause.FAILOVER, "The Galera node is not ready for applications: it left the primary "
                    + "component (it lost the quorum, or the others lost it) or is still joining the cluster.",
                    "nothing, if the cluster keeps a primary component: LinkGuard moves to a ready node of the URL; "
                            + "else bring a majority of the nodes back (or bootstrap one)");
        }
        if (ex.writerMoved() != null) {
            evidence.add("the server refused a write: " + ex.writerMoved());
            return result(Cause.FAILOVER, "The server is no longer the writer: it refused a write as read-only (a "
                    + "switchover or failover demoted it). The write did not run; it runs on the writer, learned again.",
                    "nothing: with a multi-host URL LinkGuard follows the writer");
        }
        RelayedText relayed = ex.relayedText();
        if (ex.hasVendorCode(ServerErrors.TOO_MANY_CONNECTIONS) || relayed == RelayedText.TOO_MANY_CONNECTIONS) {
            return tooManyConnections();
        }
        if (ex.clientPacketTooLarge() || ex.hasVendorCode(ServerErrors.NET_PACKET_TOO_LARGE)
                || relayed == RelayedText.PACKET_BIGGER_THAN_MAX_ALLOWED || payloadOverMaxAllowedPacket()) {
            return packetTooLarge();
        }
        if (ex.hasVendorCode(ServerErrors.SECURE_TRANSPORT_REQUIRED)) {
            evidence.add("the server refused an unencrypted link (error 3159)");
            return result(Cause.UNKNOWN, "The server requires TLS (require_secure_transport=ON) and the client "
                    + "connected without it.", "turn TLS on in the client: Connector/J sslMode=REQUIRED or stricter "
                    + "(its default, PREFERRED, uses TLS when the server offers it: look for sslMode=DISABLED or "
                    + "useSSL=false in the URL), or set the server's require_secure_transport=OFF");
        }
        if (ex.tlsFailure()) {
            return result(Cause.UNKNOWN, "TLS failed between client and server, so no link could be used.",
                    "check the client's sslMode and trust store against the server's certificate (Connector/J "
                            + "sslMode, trustCertificateKeyStoreUrl; server ssl_cert, ssl_ca, require_secure_transport)");
        }
        if (activity.phase() == Phase.CONNECT || ex.noPacketsReceived()
                || relayed == RelayedText.READING_AUTHORIZATION_PACKET
                || relayed == RelayedText.READING_INITIAL_COMMUNICATION_PACKET) {
            return connectFailure(relayed);
        }
        if (ex.hasVendorCode(ServerErrors.SERVER_SHUTDOWN)) {
            evidence.add("the server announced its shutdown (error 1053)");
            return serverRestart("The server shut down while the statement ran.");
        }
        if (ex.queryInterrupted() || ex.hasVendorCode(ServerErrors.QUERY_INTERRUPTED)
                || ex.hasVendorCode(ServerErrors.CONNECTION_KILLED)) {
            evidence.add("the server interrupted the session (KILL)");
            return connectionKilled();
        }
        if (ex.io() == Io.READ_TIMEOUT) {
            return socketTimeout();
        }
        Diagnosis transfer = transferTimeout();
        if (transfer != null) {
            return transfer;
        }
        if (server.refused()) {
            evidence.add("the server refuses new connections now");
            return serverRestart("The server stopped (or is restarting): the link broke and nothing listens on its "
                    + "port now.");
        }
        if (server.bootedWithin(activity.linkAgeMillis()) || server.restartedSincePrevious()) {
            evidence.add("server Uptime " + server.status("Uptime").getAsLong() + " s"
                    + (activity.linkAgeMillis() > 0 ? " < link age " + seconds(activity.linkAgeMillis()) : ""));
            return serverRestart("The server restarted while this link was open.");
        }
        Diagnosis idle = idleTimeout(relayed);
        if (idle != null) {
            return idle;
        }
        OptionalLong kills = server.rise("Com_kill");
        if (kills.isPresent() && kills.getAsLong() > 0) {
            evidence.add("Com_kill rose by " + kills.getAsLong() + " since the last reading");
            return connectionKilled();
        }
        if (ex.communicationsException() || ex.io() != Io.NONE || relayed == RelayedText.LOST_DURING_QUERY
                || ex.hasVendorCode(ServerErrors.SERVER_LOST) || ex.hasVendorCode(ServerErrors.NET_READ_ERROR)
                || ex.hasVendorCode(ServerErrors.NET_ERROR_ON_WRITE)) {
            return network();
        }
        return unexplained();
    }

    private Diagnosis unexplained() {
        return result(Cause.UNKNOWN, "The link was lost and the evidence does not say why.",
                "look at the server's error log at the time of the failure and at the network path; report the "
                        + "exception to LinkGuard so that it learns this case");
    }

    // ---- the causes ----

    private Diagnosis tooManyConnections() {
        evidence.add("the server refused a new session (error 1040, Too many connections)");
        OptionalLong max = server.variable("max_connections");
        OptionalLong connected = server.status("Threads_connected");
        connected.ifPresent(n -> evidence.add("Threads_connected " + n));
        return result(Cause.TOO_MANY_CONNECTIONS,
                "The server has no session left: max_connections is reached.",
                "raise the server's max_connections" + current(max, "") + ", or shrink the pools: the sum of "
                        + "maximumPoolSize over every instance of every application must stay below it");
    }

    private Diagnosis packetTooLarge() {
        long[] sizes = ex.packetSizes();
        OptionalLong max = server.variable("max_allowed_packet");
        long needed = sizes != null ? sizes[0] : activity.payloadBytes();
        if (sizes != null) {
            evidence.add("the client refused to send " + bytes(sizes[0]) + " over its limit " + bytes(sizes[1])
                    + " (copied from the server at connect)");
        } else if (ex.hasVendorCode(ServerErrors.NET_PACKET_TOO_LARGE)) {
            evidence.add("the server refused the packet (error 1153)");
        } else if (activity.payloadBytes() > 0 && max.isPresent()) {
            evidence.add("the link broke right after sending " + bytes(activity.payloadBytes())
                    + ", over max_allowed_packet " + bytes(max.getAsLong()));
        }
        long limit = sizes != null ? sizes[1] : max.orElse(-1);
        String raise = needed > 0 ? " to at least " + roundUpToMebibytes(needed) + " (SET GLOBAL max_allowed_packet="
                + roundUpToMebibytes(needed) + "; new connections pick it up)" : "";
        return result(Cause.PACKET_TOO_LARGE,
                "A statement or value was larger than max_allowed_packet; it will fail again if retried.",
                "raise the server's max_allowed_packet" + (limit > 0 ? " (now " + limit + ")" : "") + raise
                        + ", or send the value in smaller pieces");
    }

    private Diagnosis connectFailure(RelayedText relayed) {
        OptionalLong connectTimeout = server.variable("connect_timeout");
        if (relayed == RelayedText.READING_AUTHORIZATION_PACKET
                || relayed == RelayedText.READING_INITIAL_COMMUNICATION_PACKET) {
            evidence.add("\"" + relayed.text() + "\"");
            return serverConnectTimeout(connectTimeout);
        }
        switch (ex.io()) {
            case REFUSED:
            case UNKNOWN_HOST:
            case NO_ROUTE:
                return serverUnreachable();
            case READ_TIMEOUT:
                return clientConnectTimeout(connectTimeout);
            case EOF:
            case RESET:
                OptionalLong aborted = server.rise("Aborted_connects");
                aborted.ifPresent(n -> evidence.add("Aborted_connects rose by " + n));
                boolean outlived = connectTimeout.isPresent() && activity.elapsedMillis() >= 0
                        && activity.elapsedMillis() + TIMER_SLACK_MILLIS >= connectTimeout.getAsLong() * 1000;
                if (server.slow()) {
                    evidence.add("LinkGuard's own handshake with the server did not finish in time either");
                }
                if ((aborted.isPresent() && aborted.getAsLong() > 0) || outlived || server.slow()) {
                    return serverConnectTimeout(connectTimeout);
                }
                break;
            default:
                if (server.refused()) {
                    // the pool gave up before its own attempt failed, but the server's port refuses: direct evidence
                    evidence.add("the server refuses new connections now");
                    return serverUnreachable();
                }
                if (ex.hikariTimeoutWithoutCause() || ex.linkGuardConnectTimeout()) {
                    return clientConnectTimeout(connectTimeout);
                }
        }
        if (server.refused()) {
            return serverUnreachable();
        }
        if (ex.io() != Io.NONE || ex.communicationsException()) {
            return network();
        }
        return unexplained();
    }

    private Diagnosis serverConnectTimeout(OptionalLong connectTimeout) {
        server.status("Aborted_connects").ifPresent(n -> evidence.add("Aborted_connects " + n));
        return result(Cause.CONNECT_TIMEOUT,
                "The server closed the connection because the handshake did not finish within its connect_timeout "
                        + "(\"reading authorization packet\").",
                "raise the server's connect_timeout" + current(connectTimeout, " s")
                        + " (SET GLOBAL connect_timeout=" + Math.max(10, connectTimeout.orElse(5) * 2)
                        + "), and look for what slows handshakes: an overloaded server, reverse DNS lookups "
                        + "(skip_name_resolve=ON), TLS on a slow network");
    }

    private Diagnosis clientConnectTimeout(OptionalLong connectTimeout) {
        long socketTimeout = activity.client().socketTimeoutMillis();
        return result(Cause.CONNECT_TIMEOUT,
                "The server accepted TCP but never completed the handshake before the client gave up.",
                "make sure the client bounds the handshake: Connector/J connectTimeout and socketTimeout"
                        + (socketTimeout >= 0 ? " (now " + socketTimeout + " ms)" : "")
                        + " (e.g. connectTimeout=5000&socketTimeout=30000 in the URL, else a stalled handshake "
                        + "hangs forever), and check what holds the handshake: a firewall or proxy that "
                        + "swallows traffic, or an overloaded server (its connect_timeout"
                        + current(connectTimeout, " s") + ")");
    }

    private Diagnosis serverUnreachable() {
        return result(Cause.SERVER_UNREACHABLE,
                "No server accepted the connection: " + (ex.io() == Io.UNKNOWN_HOST ? "the host name does not resolve."
                        : ex.io() == Io.NO_ROUTE ? "there is no route to the host." : "the port refused it."),
                "check that the server is running and that the URL's host and port are right; during a restart "
                        + "or failover this heals by itself once the server listens again");
    }

    private Diagnosis serverRestart(String summary) {
        return result(Cause.SERVER_RESTART, summary,
                "nothing to tune on the client: open transactions were rolled back by the restart; make planned "
                        + "restarts graceful (drain the application first) and check the server's error log for "
                        + "crashes");
    }

    private Diagnosis connectionKilled() {
        return result(Cause.CONNECTION_KILLED, "The server session was killed (KILL) by an operator or a tool.",
                "find who issues KILL (an operator, pt-kill, a query watchdog, max_statement_time policies) in the "
                        + "server's general or audit log; if statements are killed for running too long, make "
                        + "them faster or raise the watchdog's limit");
    }

    private Diagnosis socketTimeout() {
        long socketTimeout = activity.client().socketTimeoutMillis();
        return result(Cause.SOCKET_TIMEOUT,
                "The client's socketTimeout ran out while waiting for the server; the server may still be running "
                        + "the statement, so a write's outcome is unknown.",
                "raise Connector/J socketTimeout" + (socketTimeout > 0 ? " (now " + socketTimeout + " ms)" : "")
                        + " above your slowest statement, and bound statements on the server instead "
                        + "(Statement.setQueryTimeout or max_execution_time/max_statement_time)");
    }

    private Diagnosis transferTimeout() {
        if (ex.hasVendorCode(ServerErrors.NET_WRITE_INTERRUPTED)) {
            evidence.add("the server timed out writing (error 1161)");
            return netWriteTimeout(server.variable("net_write_timeout").orElse(-1));
        }
        if (ex.hasVendorCode(ServerErrors.NET_READ_INTERRUPTED)) {
            evidence.add("the server timed out reading (error 1159)");
            return netReadTimeout(server.variable("net_read_timeout"));
        }
        long elapsed = activity.elapsedMillis();
        if (activity.phase() == Phase.FETCH && (activity.streamedResult() || ex.whileFetching())) {
            long streaming = activity.client().netTimeoutForStreamingResults();
            long writeTimeout = streaming > 0 ? streaming : server.variable("net_write_timeout").orElse(-1);
            OptionalLong abortedClients = server.rise("Aborted_clients");
            abortedClients.ifPresent(n -> evidence.add("Aborted_clients rose by " + n));
            if (writeTimeout > 0 && elapsed + TIMER_SLACK_MILLIS >= writeTimeout * 1000) {
                return netWriteTimeout(writeTimeout);
            }
            if (elapsed < 0 && (ex.io() == Io.RESET || ex.io() == Io.EOF)) {
                // a bare exception, no timings: Connector/J's reset while reading rows is net_write_timeout's mark
                evidence.add("the server reset the link while rows were being read");
                return netWriteTimeout(writeTimeout);
            }
        }
        OptionalLong readTimeout = server.variable("net_read_timeout");
        OptionalLong waitTimeout = server.variable("wait_timeout");
        if (activity.phase() == Phase.EXECUTE && activity.payloadBytes() >= LARGE_PAYLOAD && readTimeout.isPresent()
                && waitTimeout.isPresent() && (ex.io() == Io.EOF || ex.io() == Io.RESET)
                && elapsed + TIMER_SLACK_MILLIS >= Math.min(readTimeout.getAsLong(), waitTimeout.getAsLong()) * 1000) {
            return netReadTimeout(readTimeout);
        }
        return null;
    }

    private Diagnosis netWriteTimeout(long writeTimeoutSeconds) {
        long streaming = activity.client().netTimeoutForStreamingResults();
        return result(Cause.TRANSFER_TIMEOUT,
                "The server gave up sending a large result to a slow reader: it could not write for longer than "
                        + "net_write_timeout" + (writeTimeoutSeconds > 0 ? " (" + writeTimeoutSeconds + " s)" : "")
                        + ".",
                "read the result faster or in pages, or give the server more patience: Connector/J "
                        + "netTimeoutForStreamingResults" + (streaming >= 0 ? " (now " + streaming + " s)" : "")
                        + " sets the session's net_write_timeout for streamed results, else raise the server's "
                        + "net_write_timeout" + current(server.variable("net_write_timeout"), " s"));
    }

    private Diagnosis netReadTimeout(OptionalLong readTimeout) {
        OptionalLong waitTimeout = server.variable("wait_timeout");
        return result(Cause.TRANSFER_TIMEOUT,
                "The server gave up reading a large statement that stalled in transit: it reads the first 16 MB "
                        + "of a statement under wait_timeout" + current(waitTimeout, " s") + " and the rest (and LOAD "
                        + "DATA LOCAL files) under net_read_timeout" + current(readTimeout, " s") + ".",
                "raise the server's net_read_timeout" + current(readTimeout, " s") + " (SET GLOBAL net_read_timeout="
                        + Math.max(60, readTimeout.orElse(30) * 2) + ") and keep wait_timeout"
                        + current(waitTimeout, " s") + " above the time a large statement takes to send; fix what "
                        + "stalls the path, or send large values in smaller statements");
    }

    private Diagnosis idleTimeout(RelayedText relayed) {
        OptionalLong waitTimeout = server.variable("wait_timeout");
        long idle = ex.lastReceivedMillis() >= 0 ? ex.lastReceivedMillis() : activity.elapsedMillis();
        boolean outlived = waitTimeout.isPresent() && idle >= 0
                && idle + TIMER_SLACK_MILLIS >= waitTimeout.getAsLong() * 1000;
        if (ex.driverBlamesWaitTimeout()) {
            evidence.add("Connector/J: the idle time is longer than the server's wait_timeout");
        } else if (ex.serverReportsInactivity() || ex.hasVendorCode(ServerErrors.CLIENT_INTERACTION_TIMEOUT)) {
            evidence.add("the server disconnected the client because of inactivity");
        } else if (outlived) {
            evidence.add("idle " + seconds(idle) + " >= wait_timeout " + waitTimeout.getAsLong() + " s");
        } else if (relayed == RelayedText.SERVER_HAS_GONE_AWAY || ex.hasVendorCode(ServerErrors.SERVER_GONE)) {
            evidence.add("\"MySQL server has gone away\": most often the server closed an idle connection");
        } else {
            return null;
        }
        long wait = waitTimeout.orElse(-1);
        String lifetime = wait > 60 ? " (e.g. maxLifetime=" + (wait - 30) * 1000 + ")" : "";
        return result(Cause.IDLE_TIMEOUT,
                "The server closed a connection that sat idle longer than its wait_timeout.",
                "keep pooled connections younger than the server's wait_timeout" + current(waitTimeout, " s")
                        + ": set HikariCP maxLifetime a little below it" + lifetime + " and keepaliveTime below "
                        + "that, or raise wait_timeout (and interactive_timeout"
                        + current(server.variable("interactive_timeout"), " s") + " for interactive clients)");
    }

    private Diagnosis network() {
        if (server.available()) {
            evidence.add("the server was reachable right after");
        }
        return result(Cause.NETWORK,
                "The network link between the application and the server broke (reset or closed in between).",
                "look at what sits on the path (load balancers, NAT, firewalls, proxies) and its idle or connection "
                        + "limits; keep HikariCP keepaliveTime below the shortest idle limit on the path");
    }

    // ---- evidence ----

    private void describeException() {
        if (ex.sqlState() != null) {
            evidence.add("SQLState " + ex.sqlState());
        }
        if (!ex.vendorCodes().isEmpty()) {
            evidence.add("error " + ex.vendorCodes().get(0));
        }
        if (ex.ioDescription() != null) {
            evidence.add("socket: " + shorten(ex.ioDescription()));
        }
        long received = ex.lastReceivedMillis();
        if (received >= 0) {
            evidence.add("last packet received " + received + " ms ago, sent " + ex.lastSentMillis() + " ms ago");
        } else if (ex.noPacketsReceived()) {
            evidence.add("no packet ever received from the server");
        }
        long[] pool = ex.hikariTimeout();
        if (pool != null) {
            evidence.add("the pool timed out after " + pool[0] + " ms with " + Math.max(0, pool[1]) + " connections");
        }
    }

    private void describeActivity() {
        if (activity.elapsedMillis() >= 0) {
            evidence.add((activity.phase() == Phase.CONNECT ? "connecting took " : "last good ")
                    + (activity.phase() == Phase.CONNECT ? seconds(activity.elapsedMillis())
                    : seconds(activity.elapsedMillis()) + " before"));
        }
        if (activity.payloadBytes() >= LARGE_PAYLOAD) {
            evidence.add("statement payload at least " + bytes(activity.payloadBytes()));
        }
        if (activity.streamedResult()) {
            evidence.add("streamed result");
        }
        if (!server.available() && server != ServerEvidence.NOT_READ && !server.refused()) {
            evidence.add("server not readable: " + shorten(server.problem()));
        }
    }

    private boolean payloadOverMaxAllowedPacket() {
        OptionalLong max = server.variable("max_allowed_packet");
        return activity.phase() == Phase.EXECUTE && max.isPresent() && activity.payloadBytes() > max.getAsLong()
                && (ex.io() == Io.EOF || ex.io() == Io.RESET || ex.communicationsException());
    }

    private Diagnosis result(Cause cause, String summary, String recommendation) {
        return new Diagnosis(dataSource, cause, activity.phase(), summary, evidence, recommendation);
    }

    private static String current(OptionalLong value, String unit) {
        return value.isPresent() ? " (now " + value.getAsLong() + unit + ")" : "";
    }

    private static String seconds(long millis) {
        return millis < 10_000 ? millis + " ms" : (millis / 1000) + " s";
    }

    private static String bytes(long bytes) {
        return String.format(java.util.Locale.ROOT, "%,d bytes", bytes);
    }

    private static String roundUpToMebibytes(long bytes) {
        long mebibytes = (long) Math.ceil(bytes * 1.1 / (1024 * 1024));
        return Math.max(1, mebibytes) + "M";
    }

    private static String shorten(String text) {
        String line = text.replace('\n', ' ').replace('\r', ' ');
        return line.length() <= MAX_DETAIL ? line : line.substring(0, MAX_DETAIL) + "...";
    }
}
