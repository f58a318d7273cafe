package io.github.linkguard;

import java.util.List;
import java.util.Objects;

/**
 * The servers of a Connector/J multi-host URL as LinkGuard sees them now: their addresses ({@code host:port}) in the
 * URL's order, and the writer that every new connection goes to, or null while none is writable (a failover under
 * way). For operators (the actuator endpoint) and tests; a snapshot.
 *
 * @param servers the servers' addresses, in the URL's order
 * @param writer the writer's address, one of {@code servers}; null while none is known
 */
public record ServerTopology(List<String> servers, String writer) {

    public ServerTopology {
        servers = List.copyOf(Objects.requireNonNull(servers, "servers"));
        if (writer != null && !servers.contains(writer)) {
            throw new IllegalArgumentException("the writer " + writer + " is not one of " + servers);
        }
    }
}
