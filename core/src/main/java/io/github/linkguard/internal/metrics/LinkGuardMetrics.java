package io.github.linkguard.internal.metrics;

import io.github.linkguard.Cause;
import io.github.linkguard.Phase;

/** Where LinkGuard reports what it saw; {@link #NOOP} when no meter registry is configured. */
public interface LinkGuardMetrics {

    /** Reports nothing. */
    LinkGuardMetrics NOOP = new LinkGuardMetrics() {
        @Override
        public void failure(Cause cause, Phase phase) {
        }

        @Override
        public void outcome(Cause cause, RetryOutcome outcome) {
        }

        @Override
        public void retries(Cause cause, int count) {
        }

        @Override
        public void recoveryTime(long nanos) {
        }

        @Override
        public void serverBack(long nanos) {
        }

        @Override
        public void budgetRefused(Cause cause) {
        }

        @Override
        public void preflight(String findingId, boolean found) {
        }

        @Override
        public void remedy(String action) {
        }

        @Override
        public void commitOutcome(String outcome) {
        }

        @Override
        public void replay(String outcome) {
        }

        @Override
        public void writer(int server) {
        }
    };

    /** A link failure was observed (each failed attempt). */
    void failure(Cause cause, Phase phase);

    /** The final outcome of an operation that met a link failure. */
    void outcome(Cause cause, RetryOutcome outcome);

    /** {@code count} retries were made for an operation whose first lost link had {@code cause}. */
    void retries(Cause cause, int count);

    /** An operation recovered from a lost link {@code nanos} after its first attempt began. */
    void recoveryTime(long nanos);

    /**
     * The first operation that waited through an outage succeeded {@code nanos} after the server accepted a
     * connection again.
     */
    void serverBack(long nanos);

    /** The retry budget refused a retry after a lost link with {@code cause}. */
    void budgetRefused(Cause cause);

    /** The last preflight found (or no longer found) the finding {@code findingId}. */
    void preflight(String findingId, boolean found);

    /** A remedy ({@code action}) was applied after a lost link. */
    void remedy(String action);

    /** A COMMIT lost with its link was resolved: {@code committed}, {@code replayed}, {@code rolled-back} or {@code unknown}. */
    void commitOutcome(String outcome);

    /**
     * A transaction lost with its link met its replay: {@code replayed} (it saw the same data and went on on the
     * fresh link), {@code rolled-back} (it saw other data: 40001) or {@code not-replayed} (it could not run again:
     * 40000 until rollback).
     */
    void replay(String outcome);

    /**
     * The pool of a multi-host URL connects to server {@code server} now (its place in the URL, from 0), or to
     * none ({@code -1}: the writer was lost and none is known yet).
     */
    void writer(int server);
}
