package io.github.linkguard;

/**
 * Why a link to MySQL was lost, as LinkGuard diagnosed it: the {@code cause} tag of its metrics. Each
 * cause points at a different fix, named in the {@link Diagnosis}.
 */
public enum Cause {
    /** The network between client and server broke (reset, drop, timeout in the middle of the path). */
    NETWORK("network"),
    /** The server stopped, crashed or restarted while the link was open. */
    SERVER_RESTART("server-restart"),
    /** Someone (an operator, a tool, a query killer) killed the server session. */
    CONNECTION_KILLED("connection-killed"),
    /** The server closed a connection idle longer than {@code wait_timeout}/{@code interactive_timeout}. */
    IDLE_TIMEOUT("idle-timeout"),
    /**
     * A large transfer outlived {@code net_write_timeout} (the server writing a big result to a slow
     * reader) or {@code net_read_timeout} (the server reading a big statement).
     */
    TRANSFER_TIMEOUT("transfer-timeout"),
    /**
     * The handshake did not finish in time: the server's {@code connect_timeout} or the client's
     * {@code connectTimeout}/{@code socketTimeout} ran out.
     */
    CONNECT_TIMEOUT("connect-timeout"),
    /** No server accepted the connection: refused, unknown host or no route. */
    SERVER_UNREACHABLE("server-unreachable"),
    /** The server refused a new session: {@code max_connections} reached (error 1040). */
    TOO_MANY_CONNECTIONS("too-many-connections"),
    /** A packet over {@code max_allowed_packet}, caught by the client or the server (error 1153). */
    PACKET_TOO_LARGE("packet-too-large"),
    /** The client's own {@code socketTimeout} ran out while waiting for the server. */
    SOCKET_TIMEOUT("socket-timeout"),
    /**
     * The server LinkGuard wrote to is no longer the writer: it is gone and no server of the URL is writable
     * yet (a promotion under way), or it answers that it is read-only, or a Galera node is not ready.
     */
    FAILOVER("failover"),
    /** A lost link that the evidence does not explain. */
    UNKNOWN("unknown");

    private final String id;

    Cause(String id) {
        this.id = id;
    }

    /** The stable lowercase id used in metrics, logs and dashboards. */
    public String id() {
        return id;
    }
}
