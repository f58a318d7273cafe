package io.github.linkguard.internal.diagnosis;

import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The server's settings and counters that explain lost links, read over a fresh connection after a
 * failure. Holds the previous reading too, so that counters can be compared (an {@code Aborted_connects}
 * rise, a new boot).
 *
 * @param takenAtMillis when it was read (epoch millis), or 0 if never
 * @param variables global variables by name ({@code wait_timeout}, {@code max_allowed_packet} ...)
 * @param status global status counters by name ({@code Aborted_connects}, {@code Uptime} ...)
 * @param problem why the server could not be read, or null
 * @param refused whether the server refused the connection (nothing listening: stopped or restarting)
 * @param slow whether the reading timed out: the server (or the path to it) is too slow to even answer
 * @param previous the reading before this one, or null
 */
public record ServerEvidence(long takenAtMillis, Map<String, Long> variables, Map<String, Long> status, String problem,
        boolean refused, boolean slow, ServerEvidence previous) {

    /** The variables read. */
    static final String[] VARIABLES = {"connect_timeout", "net_read_timeout", "net_write_timeout", "wait_timeout",
        "interactive_timeout", "max_allowed_packet", "max_connections"};
    /** The counters read. */
    static final String[] STATUS = {"Aborted_connects", "Aborted_clients", "Uptime", "Com_kill", "Threads_connected",
        "Connection_errors_max_connections"};

    /** No reading: the probe is off. */
    public static final ServerEvidence NOT_READ = new ServerEvidence(0, Map.of(), Map.of(), "not read", false, false, null);

    /** A failed reading. */
    static ServerEvidence unavailable(String problem, boolean refused, boolean slow, ServerEvidence previous) {
        return new ServerEvidence(System.currentTimeMillis(), Map.of(), Map.of(), problem, refused, slow,
                strip(previous));
    }

    /** A successful reading. */
    static ServerEvidence read(Map<String, Long> variables, Map<String, Long> status, ServerEvidence previous) {
        return new ServerEvidence(System.currentTimeMillis(), Map.copyOf(variables), Map.copyOf(status), null, false,
                false, strip(previous));
    }

    private static ServerEvidence strip(ServerEvidence previous) {
        if (previous == null || previous.previous == null) {
            return previous;
        }
        return new ServerEvidence(previous.takenAtMillis, previous.variables, previous.status, previous.problem,
                previous.refused, previous.slow, null);
    }

    /** Whether the server answered. */
    public boolean available() {
        return problem == null;
    }

    /** A global variable, if read. */
    public OptionalLong variable(String name) {
        Long value = variables.get(name.toLowerCase(Locale.ROOT));
        return value == null ? OptionalLong.empty() : OptionalLong.of(value);
    }

    /** A status counter, if read. */
    public OptionalLong status(String name) {
        Long value = status.get(name.toLowerCase(Locale.ROOT));
        return value == null ? OptionalLong.empty() : OptionalLong.of(value);
    }

    /**
     * How much a counter rose since the previous successful reading of the same server boot, if both
     * readings have it.
     */
    public OptionalLong rise(String counter) {
        ServerEvidence before = lastAvailable(previous);
        if (before == null || !available() || restartedSince(before)) {
            return OptionalLong.empty();
        }
        OptionalLong now = status(counter);
        OptionalLong then = before.status(counter);
        return now.isPresent() && then.isPresent() ? OptionalLong.of(now.getAsLong() - then.getAsLong())
                : OptionalLong.empty();
    }

    /**
     * Whether the server booted within the last {@code millis} (its Uptime is shorter). The server counts
     * Uptime between two wall-clock readings in whole seconds, so it can be up to a second long.
     */
    public boolean bootedWithin(long millis) {
        OptionalLong uptime = status("Uptime");
        return millis > 0 && uptime.isPresent() && (uptime.getAsLong() - 1) * 1000 < millis;
    }

    private boolean restartedSince(ServerEvidence before) {
        OptionalLong uptime = status("Uptime");
        OptionalLong uptimeBefore = before.status("Uptime");
        return uptime.isPresent() && uptimeBefore.isPresent() && uptime.getAsLong() < uptimeBefore.getAsLong();
    }

    /** Whether the previous successful reading saw an older boot of the server than this one. */
    public boolean restartedSincePrevious() {
        ServerEvidence before = lastAvailable(previous);
        return before != null && available() && restartedSince(before);
    }

    private static ServerEvidence lastAvailable(ServerEvidence reading) {
        return reading != null && reading.available() ? reading : null;
    }
}
