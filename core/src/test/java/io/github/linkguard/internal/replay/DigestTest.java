package io.github.linkguard.internal.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.LocalDateTime;
import org.junit.jupiter.api.Test;

/** A value digests the same read as a primitive or boxed (a replay reads boxed), and any change shows. */
class DigestTest {

    private static long of(Object... values) {
        long digest = Digest.START;
        for (Object value : values) {
            digest = Digest.mix(digest, 7, value);
        }
        return digest;
    }

    @Test
    void primitivesAndTheirBoxesDigestAlike() {
        assertThat(Digest.mix(Digest.START, 7, 42L)).isEqualTo(of(42)).isEqualTo(of(42L)).isEqualTo(of((short) 42))
                .isEqualTo(of((byte) 42));
        assertThat(Digest.mix(Digest.START, 7, 1.5f)).isEqualTo(of(1.5f)).isEqualTo(of(1.5d));
        assertThat(Digest.mix(Digest.START, 7, true)).isEqualTo(of(true));
    }

    @Test
    void anyChangeOrReorderingShows() {
        assertThat(of("Aa")).isNotEqualTo(of("BB")); // equal String.hashCode, different digests
        assertThat(of("abcd", "e")).isNotEqualTo(of("abcde")).isNotEqualTo(of("abc", "de"));
        assertThat(of(1, 2)).isNotEqualTo(of(2, 1));
        assertThat(of((Object) null)).isNotEqualTo(of(0)).isNotEqualTo(of(""));
        assertThat(of(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9})).isEqualTo(of(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9}))
                .isNotEqualTo(of(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 8}));
        assertThat(of(new BigDecimal("1.0"))).isNotEqualTo(of(new BigDecimal("1.00")));
        assertThat(of(new BigDecimal("123456789012345678901234567890.5"))).isEqualTo(of(new BigDecimal("123456789012345678901234567890.5")))
                .isNotEqualTo(of(new BigDecimal("123456789012345678901234567890.6")));
        Timestamp a = Timestamp.valueOf("2026-11-24 12:00:00.000000001");
        Timestamp b = Timestamp.valueOf("2026-11-24 12:00:00.000000002");
        assertThat(of(a)).isNotEqualTo(of(b)).isEqualTo(of(Timestamp.valueOf("2026-11-24 12:00:00.000000001")));
        assertThat(of(LocalDateTime.of(2026, 11, 24, 12, 0))).isNotEqualTo(of(LocalDateTime.of(2026, 11, 24, 12, 1)));
        assertThat(Digest.mix(Digest.START, 7, 5L)).isNotEqualTo(Digest.mix(Digest.START, 8, 5L)); // another read
    }
}
