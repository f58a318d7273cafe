package io.github.linkguard;

/**
 * What the application was doing when the link was lost: the {@code phase} tag of LinkGuard's metrics.
 * The phase decides what is safe to do next (a failed connect never ran anything; a failed commit has
 * an unknown outcome).
 */
public enum Phase {
    /** Getting a connection: TCP connect, handshake, authentication, or waiting for the pool. */
    CONNECT("connect"),
    /** Sending a statement and waiting for its first response. */
    EXECUTE("execute"),
    /** Reading the rows of a result (streamed results read from the wire here). */
    FETCH("fetch"),
    /** {@code Connection.commit()}. */
    COMMIT("commit"),
    /** {@code Connection.rollback()}. */
    ROLLBACK("rollback");

    private final String id;

    Phase(String id) {
        this.id = id;
    }

    /** The stable lowercase id used in metrics, logs and properties. */
    public String id() {
        return id;
    }
}
