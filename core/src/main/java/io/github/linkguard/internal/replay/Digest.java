package io.github.linkguard.internal.replay;

import java.math.BigDecimal;

/**
 * A 64-bit digest of a sequence of values, in order: each step is a bijective mix (SplitMix64's finalizer),
 * so two sequences that differ anywhere give equal digests by chance only (about 2^-64). Strings, byte
 * arrays, numbers and dates are digested in full; other objects by their text. The same value gives the
 * same digest whether it came as a primitive or boxed (a replay reads everything boxed).
 */
final class Digest {

    static final long START = 0x6A09E667F3BCC908L;
    private static final long NULL = 0x5851F42D4C957F2DL;

    private Digest() {
    }

    static long mix(long digest, int op, long value) {
        long h = digest * 0x9E3779B97F4A7C15L + op + value;
        h = (h ^ (h >>> 30)) * 0xBF58476D1CE4E5B9L;
        h = (h ^ (h >>> 27)) * 0x94D049BB133111EBL;
        return h ^ (h >>> 31);
    }

    static long mix(long digest, int op, double value) {
        return mix(digest, op, Double.doubleToLongBits(value));
    }

    static long mix(long digest, int op, boolean value) {
        return mix(digest, op, value ? 1 : 0);
    }

    static long mix(long digest, int op, Object value) {
        if (value == null) {
            return mix(digest, op, NULL);
        }
        if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
            return mix(digest, op, ((Number) value).longValue());
        }
        if (value instanceof Double || value instanceof Float) {
            return mix(digest, op, ((Number) value).doubleValue());
        }
        if (value instanceof Boolean) {
            return mix(digest, op, ((Boolean) value).booleanValue());
        }
        if (value instanceof byte[]) {
            return bytes(digest, op, (byte[]) value);
        }
        if (value instanceof BigDecimal) {
            BigDecimal decimal = (BigDecimal) value;
            if (decimal.unscaledValue().bitLength() < 64) {
                return mix(mix(digest, op, decimal.unscaledValue().longValue()), op, decimal.scale());
            }
        } else if (value instanceof java.sql.Timestamp) {
            java.sql.Timestamp timestamp = (java.sql.Timestamp) value;
            return mix(mix(digest, op, timestamp.getTime()), op, timestamp.getNanos());
        } else if (value instanceof java.util.Date) {
            return mix(digest, op, ((java.util.Date) value).getTime());
        }
        return text(digest, op, value instanceof String ? (String) value : value.getClass().getName() + ':' + value);
    }

    private static long text(long digest, int op, String text) {
        long h = mix(digest, op, text.length());
        int i = 0;
        for (; i + 4 <= text.length(); i += 4) {
            h = mix(h, op, (long) text.charAt(i) << 48 | (long) text.charAt(i + 1) << 32
                    | (long) text.charAt(i + 2) << 16 | text.charAt(i + 3));
        }
        for (; i < text.length(); i++) {
            h = mix(h, op, text.charAt(i));
        }
        return h;
    }

    private static long bytes(long digest, int op, byte[] bytes) {
        long h = mix(digest, op, ~(long) bytes.length);
        int i = 0;
        for (; i + 8 <= bytes.length; i += 8) {
            long word = 0;
            for (int b = 0; b < 8; b++) {
                word = word << 8 | (bytes[i + b] & 0xFF);
            }
            h = mix(h, op, word);
        }
        for (; i < bytes.length; i++) {
            h = mix(h, op, bytes[i]);
        }
        return h;
    }
}
