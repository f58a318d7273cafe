package io.github.linkguard;

/**
 * Narrows or widens which statements LinkGuard runs again after a lost link in auto-commit mode. It sees
 * LinkGuard's own decision and may overrule it: retry a write you know is idempotent, or never retry reads
 * of some table. Statements inside a transaction are never retried (the server rolled the work back), and
 * a packet over {@code max_allowed_packet} is never retried (it fails the same way again); connects are
 * retried whenever the cause allows.
 *
 * <pre>{@code
 * LinkGuardDataSource.builder(pool)
 *         .retryRule((cause, sql, byDefault) -> byDefault || sql.startsWith("INSERT INTO audit_log"))
 * }</pre>
 */
@FunctionalInterface
public interface RetryRule {

    /** LinkGuard's own decision: reads, statements declared idempotent and statements known not to have run. */
    RetryRule DEFAULT = (cause, sql, byDefault) -> byDefault;

    /**
     * Whether to run the statement again on a fresh link.
     *
     * @param cause why the link was lost
     * @param sql the statement's text (never logged by LinkGuard), or null for a batch
     * @param byDefault LinkGuard's own decision
     */
    boolean retry(Cause cause, String sql, boolean byDefault);
}
