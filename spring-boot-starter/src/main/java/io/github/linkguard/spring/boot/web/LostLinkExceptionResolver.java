package io.github.linkguard.spring.boot.web;

import io.github.linkguard.Diagnosis;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.sql.SQLException;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.servlet.HandlerExceptionResolver;
import org.springframework.web.servlet.ModelAndView;
import org.springframework.web.util.DisconnectedClientHelper;

/**
 * Answers a request that failed on a lost link to the database with {@code 503 Service Unavailable}.
 * Without it, Spring MVC finds the driver's {@code EOFException} or "connection reset by peer" in the cause
 * chain (through {@code CannotCreateTransactionException}, which is no {@code DataAccessException}), takes
 * it for a browser that went away, and answers an empty {@code 200} that logs nothing. It acts only on
 * exactly those failures: the ones Spring would take for a disconnected client that carry a SQLException
 * diagnosed as a lost link; the application's own {@code @ExceptionHandler}s still come first.
 */
public final class LostLinkExceptionResolver implements HandlerExceptionResolver {

    private static final Logger log = LoggerFactory.getLogger("io.github.linkguard.LinkGuard");

    @Override
    public ModelAndView resolveException(HttpServletRequest request, HttpServletResponse response, Object handler,
            Exception failure) {
        SQLException sql = sqlExceptionIn(failure);
        if (sql == null || response.isCommitted() || !DisconnectedClientHelper.isClientDisconnectedException(failure)) {
            return null;
        }
        Optional<Diagnosis> diagnosis = Diagnosis.of(failure);
        if (diagnosis.isEmpty()) {
            return null;
        }
        String message = "The link to the database was lost (" + diagnosis.get().cause().id() + ", SQLState "
                + sql.getSQLState() + ")";
        log.warn("{} {} failed: {}; answered 503 ({})", request.getMethod(), request.getRequestURI(), message,
                failure.toString());
        try {
            response.sendError(HttpServletResponse.SC_SERVICE_UNAVAILABLE, message);
        } catch (IOException clientGone) {
            return null;
        }
        return new ModelAndView();
    }

    private static SQLException sqlExceptionIn(Throwable failure) {
        for (Throwable t = failure; t != null && t != t.getCause(); t = t.getCause()) {
            if (t instanceof SQLException) {
                return (SQLException) t;
            }
        }
        return null;
    }
}
