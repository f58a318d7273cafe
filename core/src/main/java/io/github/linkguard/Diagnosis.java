package io.github.linkguard;

import io.github.linkguard.internal.diagnosis.Activity;
import io.github.linkguard.internal.diagnosis.Diagnostician;
import io.github.linkguard.internal.diagnosis.ExceptionEvidence;
import io.github.linkguard.internal.diagnosis.ServerEvidence;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Why a link to MySQL was lost and what to change, from the evidence: the exception chain, what the
 * application was doing, and the server's settings and counters. LinkGuard attaches one to every lost-link
 * exception it passes on; {@link #of(Throwable)} finds it again, or derives one from any exception.
 *
 * <pre>{@code
 * } catch (DataAccessException e) {
 *     Diagnosis.of(e).ifPresent(d -> log.warn("{}", d));   // cause, evidence and the setting to change
 * }
 * }</pre>
 */
public final class Diagnosis {

    private final String dataSource;
    private final Cause cause;
    private final Phase phase;
    private final String summary;
    private final List<String> evidence;
    private final String recommendation;

    /**
     * @param dataSource the name of the LinkGuard DataSource, or null when derived from a bare exception
     * @param cause why the link was lost
     * @param phase what the application was doing
     * @param summary what happened, one sentence
     * @param evidence the facts the cause rests on, each a short phrase
     * @param recommendation what to change, naming the setting and its current value where known
     */
    public Diagnosis(String dataSource, Cause cause, Phase phase, String summary, List<String> evidence,
            String recommendation) {
        this.dataSource = dataSource;
        this.cause = Objects.requireNonNull(cause, "cause");
        this.phase = Objects.requireNonNull(phase, "phase");
        this.summary = Objects.requireNonNull(summary, "summary");
        this.evidence = List.copyOf(evidence);
        this.recommendation = Objects.requireNonNull(recommendation, "recommendation");
    }

    /**
     * The diagnosis of a failure: the one LinkGuard attached to {@code failure} or to anything chained to
     * it (causes, suppressed and next exceptions, so also through Spring's and pools' wrappers), else one
     * derived from the exception alone; empty if it is not a lost link.
     */
    public static Optional<Diagnosis> of(Throwable failure) {
        if (failure == null) {
            return Optional.empty();
        }
        Diagnosis attached = LostLinkDiagnosis.attachedTo(failure);
        if (attached != null) {
            return Optional.of(attached);
        }
        ExceptionEvidence evidence = ExceptionEvidence.of(failure);
        if (!evidence.isLinkFailure()) {
            return Optional.empty();
        }
        return Optional.of(Diagnostician.diagnose(null, evidence, Activity.unknown(Diagnostician.guessPhase(evidence)),
                ServerEvidence.NOT_READ));
    }

    /**
     * Attaches this diagnosis to {@code failure} as a suppressed {@link LostLinkDiagnosis}, so that
     * {@link #of(Throwable)} finds it and stack traces show it; the failure keeps its class, SQLState and
     * vendor code.
     */
    public <T extends Throwable> T attachTo(T failure) {
        failure.addSuppressed(new LostLinkDiagnosis(this));
        return failure;
    }

    /** The name of the LinkGuard DataSource that saw the failure, or null if derived from a bare exception. */
    public String dataSource() {
        return dataSource;
    }

    /** Why the link was lost. */
    public Cause cause() {
        return cause;
    }

    /** What the application was doing. */
    public Phase phase() {
        return phase;
    }

    /** What happened, one sentence. */
    public String summary() {
        return summary;
    }

    /** The facts the cause rests on. */
    public List<String> evidence() {
        return evidence;
    }

    /** What to change: the server variable or client property, with its current value where known. */
    public String recommendation() {
        return recommendation;
    }

    /** One human paragraph: what happened, the evidence, and the setting to change. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("Lost link");
        if (dataSource != null) {
            text.append(" [").append(dataSource).append(']');
        }
        text.append(", cause ").append(cause.id()).append(", phase ").append(phase.id()).append(": ").append(summary);
        if (!evidence.isEmpty()) {
            text.append(" Evidence: ").append(String.join("; ", evidence)).append('.');
        }
        return text.append(" What to change: ").append(recommendation).toString();
    }
}
