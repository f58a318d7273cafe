package io.github.linkguard.internal.diagnosis;

import java.util.Locale;

/**
 * The lost-link texts of libmysqlclient, the server and proxies, which reach Java applications through
 * proxies, logs and other layers (Connector/J itself never emits the client ones), with the cause the
 * MySQL manual gives for each. Checked in this order: the most specific first.
 */
public enum RelayedText {
    /** The handshake outlived connect_timeout after the server's greeting. */
    READING_AUTHORIZATION_PACKET("Lost connection to MySQL server at 'reading authorization packet'"),
    /** The server's greeting never arrived: connect_timeout, or a filter on the path. */
    READING_INITIAL_COMMUNICATION_PACKET("Lost connection to MySQL server at 'reading initial communication packet'"),
    /** Server error 1153. */
    PACKET_BIGGER_THAN_MAX_ALLOWED("Got a packet bigger than 'max_allowed_packet' bytes"),
    /** Server error 1040. */
    TOO_MANY_CONNECTIONS("Too many connections"),
    /** Client error 2013: the link broke while a statement ran. */
    LOST_DURING_QUERY("Lost connection to MySQL server during query"),
    /** Client error 2006: most often the server closed an idle connection (wait_timeout). */
    SERVER_HAS_GONE_AWAY("MySQL server has gone away");

    private final String text;
    private final String lowerText;

    RelayedText(String text) {
        this.text = text;
        this.lowerText = text.toLowerCase(Locale.ROOT);
    }

    /** The text as the client prints it. */
    public String text() {
        return text;
    }

    static RelayedText find(String lowerMessages) {
        for (RelayedText each : values()) {
            if (lowerMessages.contains(each.lowerText)) {
                return each;
            }
        }
        return null;
    }
}
