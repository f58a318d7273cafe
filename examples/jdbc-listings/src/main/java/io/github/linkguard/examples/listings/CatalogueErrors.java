package io.github.linkguard.examples.listings;

import java.sql.SQLException;
import java.util.Map;
import org.springframework.dao.DataAccessException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * What the catalogue's clients need to know when the database fails them, by SQLState: {@code 40001} (rolled
 * back, nothing happened: post again) is a 409; {@code 08007} (the link was lost after COMMIT was sent: look
 * before posting again) and any other database failure a 503.
 */
@RestControllerAdvice
public class CatalogueErrors {

    @ExceptionHandler(DataAccessException.class)
    public ResponseEntity<Map<String, String>> databaseFailed(DataAccessException failure) {
        String state = stateOf(failure);
        HttpStatus status = "40001".equals(state) ? HttpStatus.CONFLICT : HttpStatus.SERVICE_UNAVAILABLE;
        return ResponseEntity.status(status).body(Map.of("error", String.valueOf(failure.getMessage()), "sqlState", state));
    }

    private static String stateOf(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                return sql.getSQLState();
            }
        }
        return "unknown";
    }
}
