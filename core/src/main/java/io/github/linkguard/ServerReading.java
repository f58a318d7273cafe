package io.github.linkguard;

import java.time.Instant;
import java.util.Map;

/**
 * What LinkGuard last read from the server (after a failure, or for a health check): whether it answered,
 * and its timeout and limit variables and lost-link counters. Numbers only: no secrets.
 *
 * @param time when it was read
 * @param reachable whether the server answered
 * @param problem why it did not answer, or null
 * @param values variables and counters by name ({@code wait_timeout}, {@code aborted_connects} ...)
 */
public record ServerReading(Instant time, boolean reachable, String problem, Map<String, Long> values) {
}
