package io.github.linkguard.spring.boot.rerun;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.aop.Advisor;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.Ordered;
import org.springframework.transaction.annotation.Transactional;

/** The re-run auto-configuration's conditions and settings, without a database. */
class LinkGuardRerunAutoConfigurationTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner().withConfiguration(
            AutoConfigurations.of(LinkGuardRerunAutoConfiguration.class, LinkGuardRepositoryRerunAutoConfiguration.class));

    /** A service of the application. */
    static class Service {
        @Transactional(readOnly = true)
        public int reads() {
            return 1;
        }

        @Transactional
        public int writes() {
            return 1;
        }

        @Transactional(readOnly = true)
        @RunOnce
        public int mails() {
            return 1;
        }
    }

    @Test
    void advisesReadOnlyMethodsOnlyJustOutsideTheTransactionAdvisor() throws Exception {
        runner.run(context -> {
            assertThat(context).hasSingleBean(TemplateRerun.class).hasSingleBean(RepositoryRerun.class);
            ReadOnlyRerunAdvisor advisor = (ReadOnlyRerunAdvisor) context.getBean("linkGuardReadOnlyRerunAdvisor",
                    Advisor.class);
            assertThat(advisor.getOrder()).isEqualTo(Ordered.LOWEST_PRECEDENCE - 1);
            var matcher = advisor.getPointcut().getMethodMatcher();
            assertThat(matcher.matches(Service.class.getMethod("reads"), Service.class)).isTrue();
            assertThat(matcher.matches(Service.class.getMethod("writes"), Service.class)).isFalse();
            assertThat(matcher.matches(Service.class.getMethod("mails"), Service.class)).isFalse();
        });
    }

    @Test
    void turnsOffWithItsPropertyOrLinkGuards() {
        runner.withPropertyValues("linkguard.rerun.enabled=false").run(context -> assertThat(context)
                .doesNotHaveBean("linkGuardReadOnlyRerunAdvisor").doesNotHaveBean(TemplateRerun.class)
                .doesNotHaveBean(RepositoryRerun.class));
        runner.withPropertyValues("linkguard.enabled=false").run(context -> assertThat(context)
                .doesNotHaveBean("linkGuardReadOnlyRerunAdvisor"));
    }

    @Test
    void refusesAMaxRerunsOutOfRangeAtStartUp() {
        runner.withPropertyValues("linkguard.rerun.max-reruns=0").run(context -> assertThat(context).getFailure()
                .rootCause().hasMessageContaining("must be between 1 and 10, was 0"));
    }
}
