package io.github.linkguard.internal.diagnosis;

import com.mysql.cj.conf.PropertyKey;
import com.mysql.cj.conf.PropertySet;
import com.mysql.cj.jdbc.JdbcConnection;
import java.sql.Connection;

/**
 * The Connector/J settings a diagnosis names, read from the physical connection's properties after a
 * failure (no round trip). -1 means unknown: not Connector/J, or not readable.
 *
 * @param socketTimeoutMillis {@code socketTimeout}, 0 = none
 * @param connectTimeoutMillis {@code connectTimeout}, 0 = none
 * @param netTimeoutForStreamingResults {@code netTimeoutForStreamingResults} in seconds, 0 = off
 */
public record ClientSettings(long socketTimeoutMillis, long connectTimeoutMillis, long netTimeoutForStreamingResults) {

    /** Nothing known. */
    public static final ClientSettings UNKNOWN = new ClientSettings(-1, -1, -1);

    /** Reads the settings of {@code connection} if it is (or wraps) a Connector/J connection. */
    public static ClientSettings of(Connection connection) {
        try {
            if (connection == null || !connection.isWrapperFor(JdbcConnection.class)) {
                return UNKNOWN;
            }
            PropertySet properties = connection.unwrap(JdbcConnection.class).getPropertySet();
            return new ClientSettings(
                    properties.getIntegerProperty(PropertyKey.socketTimeout).getValue(),
                    properties.getIntegerProperty(PropertyKey.connectTimeout).getValue(),
                    properties.getIntegerProperty(PropertyKey.netTimeoutForStreamingResults).getValue());
        } catch (Exception | LinkageError e) {
            return UNKNOWN;
        }
    }
}
