package io.github.linkguard.examples.ledger;

import java.sql.SQLException;
import java.util.Map;
import org.springframework.dao.DataAccessException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * What the ledger's clients need to know when the database fails them, by SQLState: {@code 40001} (the
 * transaction was rolled back, nothing happened: post again) is a 409; {@code 08007} (the link was lost
 * after COMMIT was sent: nobody knows whether it was applied; look before posting again) and any other
 * database failure a 503.
 */
@RestControllerAdvice
public class LedgerErrors {

    @ExceptionHandler(DataAccessException.class)
    public ResponseEntity<Map<String, String>> databaseFailed(DataAccessException failure) {
        String state = stateOf(failure);
        HttpStatus status = "40001".equals(state) ? HttpStatus.CONFLICT : HttpStatus.SERVICE_UNAVAILABLE;
        String error = switch (state) {
            case "40001" -> "the transfer was rolled back: post it again";
            case "08007" -> "the transfer's outcome is unknown: look it up before posting it again";
            default -> "the database failed";
        };
        return ResponseEntity.status(status).body(Map.of("error", error, "sqlState", state));
    }

    private static String stateOf(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SQLException && ((SQLException) t).getSQLState() != null) {
                return ((SQLException) t).getSQLState();
            }
        }
        return "unknown";
    }
}
