package io.github.linkguard.internal.retry;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RetryBudgetTest {

    @Test
    void retriesMayAddTheRatioOfWhatWasSent() {
        RetryBudget budget = new RetryBudget(0.1, 0);
        budget.sent(100);

        int allowed = 0;
        while (budget.tryRetry(1)) {
            allowed++;
        }

        assertThat(allowed).isEqualTo(10);
        budget.sent(20);
        assertThat(budget.tryRetry(1)).isTrue();
        assertThat(budget.tryRetry(1)).isTrue();
        assertThat(budget.tryRetry(1)).isFalse();
    }

    @Test
    void aReplayTakesAllItsStatementsOrNone() {
        RetryBudget budget = new RetryBudget(0.1, 0);
        budget.sent(50);

        assertThat(budget.tryRetry(6)).isFalse();
        assertThat(budget.tryRetry(5)).isTrue();
    }

    @Test
    void theMinimumLetsAQuietApplicationRetry() {
        RetryBudget budget = new RetryBudget(0.1, 2);

        int allowed = 0;
        while (budget.tryRetry(1)) {
            allowed++;
        }

        assertThat(allowed).isEqualTo(2 * RetryBudget.WINDOW_SECONDS);
    }

    @Test
    void aZeroBudgetRefusesEveryRetry() {
        RetryBudget budget = new RetryBudget(0, 0);
        budget.sent(1_000_000);

        assertThat(budget.tryRetry(1)).isFalse();
    }
}
