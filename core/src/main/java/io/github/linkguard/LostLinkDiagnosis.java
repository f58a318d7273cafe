package io.github.linkguard;

import io.github.linkguard.internal.diagnosis.ExceptionEvidence;

/**
 * Carries a {@link Diagnosis} on the exception the application catches, as a suppressed exception whose
 * message is the diagnosis paragraph: it shows in every stack trace and log, and leaves the original
 * exception's class, SQLState and vendor code alone (so Spring's exception translation still works).
 */
public final class LostLinkDiagnosis extends Exception {

    private static final long serialVersionUID = 1L;

    private final transient Diagnosis diagnosis;

    LostLinkDiagnosis(Diagnosis diagnosis) {
        super(diagnosis.toString(), null, false, false);
        this.diagnosis = diagnosis;
    }

    /** The diagnosis. */
    public Diagnosis diagnosis() {
        return diagnosis;
    }

    /**
     * The diagnosis LinkGuard attached to {@code failure} or to anything chained to it (causes, suppressed
     * and next exceptions), or null if none was attached.
     */
    public static Diagnosis attachedTo(Throwable failure) {
        for (Throwable each : ExceptionEvidence.walk(failure)) {
            if (each instanceof LostLinkDiagnosis) {
                return ((LostLinkDiagnosis) each).diagnosis;
            }
        }
        return null;
    }
}
