package io.github.linkguard.internal.metrics;

/** The final outcome of an operation that met a link failure: the {@code outcome} tag of {@code linkguard.retries}. */
public enum RetryOutcome {
    /** A retry succeeded: the application never saw the failure. */
    RECOVERED("recovered"),
    /** Every allowed attempt failed: the application saw the last failure. */
    EXHAUSTED("exhausted"),
    /** Not safe (or not configured) to retry: the application saw the failure. */
    NOT_RETRIED("not-retried");

    private final String id;

    RetryOutcome(String id) {
        this.id = id;
    }

    /** The tag value. */
    public String id() {
        return id;
    }
}
