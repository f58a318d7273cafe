package io.github.linkguard.internal.diagnosis;

/** The MySQL and MariaDB error codes that mean a lost, refused or killed link. */
public final class ServerErrors {

    /** ER_CON_COUNT_ERROR: "Too many connections". */
    static final int TOO_MANY_CONNECTIONS = 1040;
    /** ER_SERVER_SHUTDOWN: "Server shutdown in progress". */
    static final int SERVER_SHUTDOWN = 1053;
    /** ER_UNKNOWN_COM_ERROR, as Galera sends it: "WSREP has not yet prepared node for application use". */
    static final int WSREP_NOT_READY = 1047;
    /** ER_NET_PACKET_TOO_LARGE: "Got a packet bigger than 'max_allowed_packet' bytes". */
    static final int NET_PACKET_TOO_LARGE = 1153;
    /** ER_NET_READ_ERROR: "Got an error reading communication packets". */
    static final int NET_READ_ERROR = 1158;
    /** ER_NET_READ_INTERRUPTED: "Got timeout reading communication packets" (net_read_timeout). */
    static final int NET_READ_INTERRUPTED = 1159;
    /** ER_NET_ERROR_ON_WRITE: "Got an error writing communication packets". */
    static final int NET_ERROR_ON_WRITE = 1160;
    /** ER_NET_WRITE_INTERRUPTED: "Got timeout writing communication packets" (net_write_timeout). */
    static final int NET_WRITE_INTERRUPTED = 1161;
    /** ER_QUERY_INTERRUPTED: "Query execution was interrupted" (KILL). */
    static final int QUERY_INTERRUPTED = 1317;
    /** MariaDB ER_CONNECTION_KILLED: "Connection was killed". */
    static final int CONNECTION_KILLED = 1927;
    /** CR_SERVER_GONE_ERROR (libmysqlclient): "MySQL server has gone away". */
    static final int SERVER_GONE = 2006;
    /** CR_SERVER_LOST (libmysqlclient): "Lost connection to MySQL server during query". */
    static final int SERVER_LOST = 2013;
    /** CR_SERVER_LOST_EXTENDED (libmysqlclient): "Lost connection to MySQL server at '...'". */
    static final int SERVER_LOST_EXTENDED = 2055;
    /**
     * ER_SECURE_TRANSPORT_REQUIRED (MySQL, and MariaDB 11.4 with the same code): "Connections using insecure
     * transport are prohibited while --require_secure_transport=ON".
     */
    static final int SECURE_TRANSPORT_REQUIRED = 3159;
    /** ER_CLIENT_INTERACTION_TIMEOUT (MySQL 8.0.24+): disconnected because of inactivity. */
    static final int CLIENT_INTERACTION_TIMEOUT = 4031;

    private ServerErrors() {
    }

    /**
     * Whether the server ended the session with this error: it was killed (MariaDB's 1927; MySQL's 1317, which a
     * KILL QUERY sends too, is taken as the session's end, the safe side for a link of LinkGuard's own: it
     * leaves) or the server shuts down. The link is as good as lost, though the error came as a reply.
     */
    public static boolean endsSession(int code) {
        return code == CONNECTION_KILLED || code == QUERY_INTERRUPTED || code == SERVER_SHUTDOWN;
    }

    static boolean isLinkError(int code) {
        switch (code) {
            case TOO_MANY_CONNECTIONS:
            case WSREP_NOT_READY:
            case SERVER_SHUTDOWN:
            case NET_PACKET_TOO_LARGE:
            case NET_READ_ERROR:
            case NET_READ_INTERRUPTED:
            case NET_ERROR_ON_WRITE:
            case NET_WRITE_INTERRUPTED:
            case QUERY_INTERRUPTED:
            case CONNECTION_KILLED:
            case SERVER_GONE:
            case SERVER_LOST:
            case SERVER_LOST_EXTENDED:
            case CLIENT_INTERACTION_TIMEOUT:
            case SECURE_TRANSPORT_REQUIRED:
                return true;
            default:
                return false;
        }
    }
}
