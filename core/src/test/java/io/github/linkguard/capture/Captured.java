package io.github.linkguard.capture;

import java.io.InputStream;
import java.io.ObjectInputStream;

/** The exceptions {@link CaptureDriverExceptions} captured from the real driver and pool, by name. */
public final class Captured {

    private Captured() {
    }

    /** The captured exception {@code name} ({@code captured/<name>.ser}). */
    public static Throwable load(String name) throws Exception {
        try (InputStream file = Captured.class.getResourceAsStream("/captured/" + name + ".ser")) {
            if (file == null) {
                throw new IllegalArgumentException("no captured exception " + name);
            }
            try (ObjectInputStream in = new ObjectInputStream(file)) {
                return (Throwable) in.readObject();
            }
        }
    }
}
