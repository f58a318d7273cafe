package io.github.linkguard.internal.diagnosis;

import io.github.linkguard.Phase;

/**
 * What the application was doing on the link when it failed, as the wrapper recorded it.
 *
 * @param phase the phase of the failed call
 * @param elapsedMillis from the moment the link was last known good (or the connect began) to the failure
 * @param linkAgeMillis since the application got the connection, or -1 in the connect phase
 * @param payloadBytes the largest value bound to the statement, or the SQL length (0 when unknown)
 * @param streamedResult whether the failed call read a streamed result (fetch size {@code Integer.MIN_VALUE})
 * @param client the client's timeouts and limits, as far as they can be read
 */
public record Activity(Phase phase, long elapsedMillis, long linkAgeMillis, long payloadBytes,
        boolean streamedResult, ClientSettings client) {

    /** What is known of a failure that never went through LinkGuard: only a guess of the phase. */
    public static Activity unknown(Phase phase) {
        return new Activity(phase, -1, -1, 0, false, ClientSettings.UNKNOWN);
    }
}
