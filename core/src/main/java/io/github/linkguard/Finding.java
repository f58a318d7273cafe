package io.github.linkguard;

import java.util.Objects;

/**
 * A configuration that leads to lost links, found by {@link LinkGuardDataSource#preflight()} before the first
 * one: its {@link #id()} (stable, the {@code finding} tag of {@code linkguard.preflight}), how much it matters,
 * and as {@link #toString()} one sentence naming both settings, their values and the value to use.
 */
public final class Finding {

    /** How much a finding matters. */
    public enum Severity {
        /** Worth knowing; lost links only in unusual circumstances. */
        INFO,
        /** Lost links will happen under ordinary circumstances. */
        WARNING,
        /** Nothing will work as configured (the server cannot be reached, the pool cannot fill). */
        ERROR
    }

    private final String id;
    private final Severity severity;
    private final String sentence;

    /**
     * @param id a stable lowercase id, such as {@code max-lifetime-over-wait-timeout}
     * @param severity how much it matters
     * @param sentence what is wrong, naming both settings, their values and the value to use
     */
    public Finding(String id, Severity severity, String sentence) {
        this.id = Objects.requireNonNull(id, "id");
        this.severity = Objects.requireNonNull(severity, "severity");
        this.sentence = Objects.requireNonNull(sentence, "sentence");
    }

    /** The stable id, such as {@code max-lifetime-over-wait-timeout}. */
    public String id() {
        return id;
    }

    /** How much it matters. */
    public Severity severity() {
        return severity;
    }

    /** One sentence: both settings, their values, and the value to use. */
    @Override
    public String toString() {
        return sentence;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Finding && ((Finding) other).id.equals(id) && ((Finding) other).sentence.equals(sentence);
    }

    @Override
    public int hashCode() {
        return id.hashCode() * 31 + sentence.hashCode();
    }
}
