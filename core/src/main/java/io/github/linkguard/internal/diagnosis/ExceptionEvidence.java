package io.github.linkguard.internal.diagnosis;

import io.github.linkguard.internal.topology.NoWriterException;
import io.github.linkguard.internal.topology.WriterMovedException;
import java.io.EOFException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

/**
 * What an exception chain says about a lost link: SQLStates, vendor codes, the I/O failure underneath,
 * and the facts hidden in Connector/J's, HikariCP's and other MySQL clients' message texts. Read once per
 * failure, off the happy path; it walks {@code getCause()}, suppressed exceptions and
 * {@code SQLException.getNextException()}, so it sees through pool and framework wrappers.
 */
public final class ExceptionEvidence {

    /** How the socket underneath failed, from the deepest I/O exception in the chain. */
    public enum Io {
        NONE, REFUSED, UNKNOWN_HOST, NO_ROUTE, READ_TIMEOUT, EOF, RESET, OTHER
    }

    /** The message LinkGuard's own connect bound throws with (SQLState 08001). */
    public static final String CONNECT_BOUND_MESSAGE = "LinkGuard gave up connecting: no connection within ";

    private static final int MAX_CHAIN = 64;
    private static final String NUMBER = "([0-9][0-9,.\\s\\u00a0\\u202f]*)";
    private static final Pattern LAST_RECEIVED =
            Pattern.compile("last packet successfully received from the server was " + NUMBER + " milliseconds? ago");
    private static final Pattern LAST_SENT =
            Pattern.compile("last packet sent successfully to the server was " + NUMBER + " milliseconds? ago");
    private static final Pattern PACKET_SIZES =
            Pattern.compile("Packet for query is too large \\(" + NUMBER + " > " + NUMBER + "\\)");
    private static final Pattern HIKARI_TIMEOUT = Pattern.compile(
            "Connection is not available, request timed out after (\\d+)ms(?: \\(total=(\\d+), active=(\\d+), idle=(\\d+)"
                    + ", waiting=(\\d+)\\))?");

    private final List<Throwable> chain;
    private final List<String> sqlStates = new ArrayList<>();
    private final List<Integer> vendorCodes = new ArrayList<>();
    private final StringBuilder messages = new StringBuilder();
    private final String lowerMessages;
    private Io io = Io.NONE;
    private String ioDescription;
    private boolean communicationsException;
    private boolean packetTooBigException;
    private boolean queryInterrupted;
    private boolean tlsFailure;
    /** What the servers of a multi-host URL answered when none was the writer; null otherwise. */
    private String noWriter;
    /** The demoted server's refusal of a write, when the writer of a multi-host URL moved; null otherwise. */
    private String writerMoved;

    private ExceptionEvidence(Throwable failure) {
        this.chain = walk(failure);
        for (Throwable each : chain) {
            String type = each.getClass().getName();
            communicationsException |= type.endsWith(".CommunicationsException")
                    || type.endsWith(".CJCommunicationsException");
            packetTooBigException |= type.endsWith("PacketTooBigException");
            queryInterrupted |= type.endsWith("MySQLQueryInterruptedException");
            tlsFailure |= each instanceof SSLHandshakeException;
            if (each instanceof NoWriterException && noWriter == null) {
                noWriter = each.getMessage();
            }
            if (each instanceof WriterMovedException && writerMoved == null) {
                writerMoved = each.getCause().getMessage();
            }
            if (each instanceof SQLException) {
                SQLException sql = (SQLException) each;
                if (sql.getSQLState() != null) {
                    sqlStates.add(sql.getSQLState());
                }
                if (sql.getErrorCode() != 0) {
                    vendorCodes.add(sql.getErrorCode());
                }
            }
            if (each.getMessage() != null) {
                messages.append(each.getMessage()).append('\n');
            }
            readIo(each);
        }
        this.lowerMessages = messages.toString().toLowerCase(Locale.ROOT);
        // commit() and rollback() may turn the driver's communications exception into one without a cause
        communicationsException |= lowerMessages.contains("communications link failure");
    }

    /** Reads the evidence of {@code failure} and everything chained to it. */
    public static ExceptionEvidence of(Throwable failure) {
        return new ExceptionEvidence(failure);
    }

    /** Every throwable reachable from {@code failure}, each once, the failure first. */
    public static List<Throwable> walk(Throwable failure) {
        List<Throwable> found = new ArrayList<>();
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Throwable> queue = new ArrayDeque<>();
        queue.add(failure);
        while (!queue.isEmpty() && found.size() < MAX_CHAIN) {
            Throwable each = queue.poll();
            if (!seen.add(each)) {
                continue;
            }
            found.add(each);
            enqueue(queue, each.getCause());
            if (each instanceof SQLException) {
                enqueue(queue, ((SQLException) each).getNextException());
            }
            for (Throwable suppressed : each.getSuppressed()) {
                enqueue(queue, suppressed);
            }
        }
        return found;
    }

    private static void enqueue(Deque<Throwable> queue, Throwable next) {
        if (next != null) {
            queue.add(next);
        }
    }

    private void readIo(Throwable each) {
        Io kind;
        if (each instanceof ConnectException) {
            kind = Io.REFUSED;
        } else if (each instanceof UnknownHostException) {
            kind = Io.UNKNOWN_HOST;
        } else if (each instanceof NoRouteToHostException) {
            kind = Io.NO_ROUTE;
        } else if (each instanceof SocketTimeoutException) {
            kind = Io.READ_TIMEOUT;
        } else if (each instanceof EOFException) {
            kind = Io.EOF;
        } else if (each instanceof SocketException) {
            String message = String.valueOf(each.getMessage()).toLowerCase(Locale.ROOT);
            kind = message.contains("reset") || message.contains("broken pipe") || message.contains("abort")
                    ? Io.RESET : Io.OTHER;
        } else if (each instanceof SSLException && !(each instanceof SSLHandshakeException)
                && String.valueOf(each.getMessage()).toLowerCase(Locale.ROOT).contains("received fatal alert")) {
            kind = Io.RESET; // the server ended an established encrypted link (how it aborts one it gives up on)
        } else if (each instanceof java.io.IOException) {
            kind = Io.OTHER;
        } else {
            return;
        }
        // the first precise kind wins: later ones come from suppressed exceptions of cleanup (close() on a dead
        // socket says "Socket is closed"), not from the failure itself
        if (io == Io.NONE || (io == Io.OTHER && kind != Io.OTHER)) {
            io = kind;
            ioDescription = each.getClass().getSimpleName() + (each.getMessage() == null ? "" : ": " + firstLine(each));
        }
    }

    private static String firstLine(Throwable each) {
        String message = each.getMessage();
        int end = message.indexOf('\n');
        return end < 0 ? message : message.substring(0, end);
    }

    /** Whether this failure lost (or refused) the link, as opposed to an ordinary SQL error. */
    public boolean isLinkFailure() {
        if (packetTooBigException || communicationsException || queryInterrupted || (io != Io.NONE && io != Io.OTHER)) {
            return true;
        }
        for (String state : sqlStates) {
            // 08003 is "connection already closed": a consequence of an earlier loss, not a new one
            if (state.startsWith("08") && !state.equals("08003")) {
                return true;
            }
        }
        for (int code : vendorCodes) {
            if (ServerErrors.isLinkError(code)) {
                return true;
            }
        }
        return RelayedText.find(lowerMessages) != null || hikariTimeoutWithoutCause();
    }

    /** The SQLState of the outermost SQLException that has one, or null. */
    public String sqlState() {
        return sqlStates.isEmpty() ? null : sqlStates.get(0);
    }

    /** Whether the chain carries server or client error {@code code}. */
    public boolean hasVendorCode(int code) {
        return vendorCodes.contains(code);
    }

    /** The vendor codes in the chain, outermost first. */
    public List<Integer> vendorCodes() {
        return Collections.unmodifiableList(vendorCodes);
    }

    /** How the socket failed underneath. */
    public Io io() {
        return io;
    }

    /** The socket exception, type and first line, or null. */
    public String ioDescription() {
        return ioDescription;
    }

    /** Whether Connector/J's client-side {@code max_allowed_packet} check stopped the statement. */
    public boolean clientPacketTooLarge() {
        return packetTooBigException || lowerMessages.contains("packet for query is too large");
    }

    /** The statement size and client limit from "Packet for query is too large (N > M)", or null. */
    public long[] packetSizes() {
        Matcher matcher = PACKET_SIZES.matcher(messages);
        return matcher.find() ? new long[] {number(matcher.group(1)), number(matcher.group(2))} : null;
    }

    /** "The last packet successfully received from the server was N milliseconds ago", or -1. */
    public long lastReceivedMillis() {
        return find(LAST_RECEIVED);
    }

    /** "The last packet sent successfully to the server was N milliseconds ago", or -1. */
    public long lastSentMillis() {
        return find(LAST_SENT);
    }

    /** Connector/J: "The driver has not received any packets from the server" (no handshake yet). */
    public boolean noPacketsReceived() {
        return lowerMessages.contains("has not received any packets from the server");
    }

    /** Connector/J's own hint that the idle time exceeded the server's {@code wait_timeout}. */
    public boolean driverBlamesWaitTimeout() {
        return lowerMessages.contains("longer than the server configured value of 'wait_timeout'");
    }

    /** MySQL 8.0.24+: "The client was disconnected by the server because of inactivity". */
    public boolean serverReportsInactivity() {
        return lowerMessages.contains("disconnected by the server because of inactivity");
    }

    /**
     * Whether TLS itself failed (certificate, trust, protocol): an {@code SSLHandshakeException} in the chain
     * with no failure of the link under it. A link that breaks while encrypted surfaces as TLS exceptions too:
     * in the handshake ("Remote host terminated the handshake" over an EOF), or after it (an alert such as
     * bad_record_mac when a stalled transfer is given up, "Connection reset" over a SocketException). Those are
     * the link's failures, diagnosed like them, not the certificates'.
     */
    public boolean tlsFailure() {
        return tlsFailure && (io == Io.NONE || io == Io.OTHER);
    }

    /** Whether LinkGuard's own bound on the connect phase ran out. */
    public boolean linkGuardConnectTimeout() {
        return messages.indexOf(CONNECT_BOUND_MESSAGE) >= 0;
    }

    /** Connector/J: "Communications link failure during commit()" (08007). */
    public boolean duringCommit() {
        return lowerMessages.contains("during commit()");
    }

    /** Connector/J: "Error retrieving record" (a row of a streamed result). */
    public boolean whileFetching() {
        return lowerMessages.contains("error retrieving record");
    }

    /** A text other MySQL clients and proxies relay, or null. */
    public RelayedText relayedText() {
        return RelayedText.find(lowerMessages);
    }

    /** Whether a Connector/J communications exception is in the chain. */
    public boolean communicationsException() {
        return communicationsException;
    }

    /** Whether no server of a multi-host URL was the writer (a failover under way), with each one's answer. */
    public boolean noWriter() {
        return noWriter != null;
    }

    /** The demoted server's refusal when the writer moved (a write refused as read-only), else null. */
    public String writerMoved() {
        return writerMoved;
    }

    /** The servers' answers when none was the writer ({@link #noWriter()}), else null. */
    public String noWriterAnswers() {
        return noWriter;
    }

    /** Whether the server interrupted the statement (KILL, 1317 / MariaDB 1927). */
    public boolean queryInterrupted() {
        return queryInterrupted;
    }

    /**
     * HikariCP gave up waiting for a connection: "Connection is not available, request timed out after
     * Nms (total=T, active=A, ...)". Returns {@code {timeoutMs, total, active, idle, waiting}} (-1 where the
     * message lacks them), or null.
     */
    public long[] hikariTimeout() {
        Matcher matcher = HIKARI_TIMEOUT.matcher(messages);
        if (!matcher.find()) {
            return null;
        }
        long[] values = new long[5];
        for (int i = 0; i < values.length; i++) {
            String group = matcher.group(i + 1);
            values[i] = group == null ? -1 : Long.parseLong(group);
        }
        return values;
    }

    /**
     * A pool timeout with no connect failure behind it and no connection in the pool: connection attempts
     * hung (a handshake that never finished), as opposed to a pool exhausted by the application.
     */
    public boolean hikariTimeoutWithoutCause() {
        long[] timeout = hikariTimeout();
        return timeout != null && timeout[1] == 0 && io == Io.NONE && vendorCodes.isEmpty()
                && chain.stream().filter(SQLException.class::isInstance).count() == 1;
    }

    private long find(Pattern pattern) {
        Matcher matcher = pattern.matcher(messages);
        return matcher.find() ? number(matcher.group(1)) : -1;
    }

    private static long number(String grouped) {
        String digits = grouped.replaceAll("[^0-9]", "");
        if (digits.isEmpty() || digits.length() > 18) {
            return -1;
        }
        return Long.parseLong(digits);
    }
}
