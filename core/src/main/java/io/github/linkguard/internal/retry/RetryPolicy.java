package io.github.linkguard.internal.retry;

import io.github.linkguard.Cause;

/** What LinkGuard retries by default, cause by cause (see README "What LinkGuard retries"). */
public final class RetryPolicy {

    private RetryPolicy() {
    }

    /**
     * Whether a failed connect is worth another attempt: nothing ran, so it is always safe, but a packet
     * that is too large or a TLS failure ({@code unknown}) fails the same way again.
     */
    public static boolean retriesConnect(Cause cause) {
        return cause != Cause.PACKET_TOO_LARGE && cause != Cause.UNKNOWN && cause != Cause.TRANSFER_TIMEOUT;
    }
}
