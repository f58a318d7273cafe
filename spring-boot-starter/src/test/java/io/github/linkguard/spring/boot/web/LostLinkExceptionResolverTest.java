package io.github.linkguard.spring.boot.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.linkguard.spring.boot.LinkGuardAutoConfiguration;
import io.github.linkguard.testkit.EmbeddedMariaDb;
import java.io.EOFException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.web.servlet.HandlerExceptionResolver;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;
import org.springframework.web.servlet.mvc.support.DefaultHandlerExceptionResolver;
import org.springframework.web.util.DisconnectedClientHelper;

/**
 * A lost database link is answered with 503, not with the empty 200 Spring MVC gives a client that went
 * away; the exception is the real driver's, from a real killed session.
 */
class LostLinkExceptionResolverTest {

    private final WebApplicationContextRunner web = new WebApplicationContextRunner().withConfiguration(
            AutoConfigurations.of(LinkGuardAutoConfiguration.class, LinkGuardWebMvcAutoConfiguration.class));

    /** How Spring fails when the link is lost while it opens a transaction, with the driver's exception in it. */
    private static CannotCreateTransactionException lostWhileOpeningATransaction() throws SQLException {
        EmbeddedMariaDb db = EmbeddedMariaDb.shared();
        try (Connection connection = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
                Statement statement = connection.createStatement()) {
            statement.execute("SELECT 1");
            long session;
            try (var rows = statement.executeQuery("SELECT CONNECTION_ID()")) {
                rows.next();
                session = rows.getLong(1);
            }
            db.execute("KILL CONNECTION " + session);
            try {
                connection.setAutoCommit(false);
                statement.execute("SELECT 1");
            } catch (SQLException lost) {
                return new CannotCreateTransactionException("Could not open JDBC Connection for transaction", lost);
            }
        }
        throw new AssertionError("the killed session still answered");
    }

    @Test
    void aLostLinkIsAnswered503WhereSpringWouldTakeItForAClientThatWentAway() throws Exception {
        CannotCreateTransactionException failure = lostWhileOpeningATransaction();
        assertThat(DisconnectedClientHelper.isClientDisconnectedException(failure))
                .as("Spring MVC takes the driver's %s for a client that went away", EOFException.class.getSimpleName())
                .isTrue();
        MockHttpServletResponse response = new MockHttpServletResponse();

        assertThat(new LostLinkExceptionResolver().resolveException(new MockHttpServletRequest("GET", "/accounts/1"),
                response, null, failure)).isNotNull();
        assertThat(response.getStatus()).isEqualTo(503);
        assertThat(response.getErrorMessage()).contains("The link to the database was lost", "SQLState 08S01");
    }

    @Test
    void otherFailuresAndRealClientDisconnectsAreLeftToSpring() {
        MockHttpServletResponse response = new MockHttpServletResponse();
        LostLinkExceptionResolver resolver = new LostLinkExceptionResolver();
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/");

        assertThat(resolver.resolveException(request, response, null, new IllegalStateException("boom"))).isNull();
        assertThat(resolver.resolveException(request, response, null,
                new RuntimeException(new EOFException("client went away")))).isNull();
        assertThat(resolver.resolveException(request, response, null,
                new RuntimeException(new SQLException("Duplicate entry", "23000", 1062)))).isNull();
        assertThat(response.getStatus()).isEqualTo(200);
    }

    @Test
    void itGoesJustBeforeSpringsDefaultResolverAndCanBeTurnedOff() {
        web.run(context -> {
            List<HandlerExceptionResolver> resolvers = new ArrayList<>(List.of(new DefaultHandlerExceptionResolver()));
            context.getBean("linkGuardLostLinkResponses", WebMvcConfigurer.class).extendHandlerExceptionResolvers(resolvers);
            assertThat(resolvers).hasSize(2).first().isInstanceOf(LostLinkExceptionResolver.class);
        });
        web.withPropertyValues("linkguard.web.lost-link-response=false")
                .run(context -> assertThat(context).doesNotHaveBean("linkGuardLostLinkResponses"));
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(LinkGuardWebMvcAutoConfiguration.class))
                .run(context -> assertThat(context).doesNotHaveBean("linkGuardLostLinkResponses"));
    }
}
