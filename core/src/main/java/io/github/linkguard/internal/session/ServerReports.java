package io.github.linkguard.internal.session;

import com.mysql.cj.conf.PropertyKey;
import com.mysql.cj.conf.PropertySet;
import com.mysql.cj.jdbc.JdbcConnection;
import com.mysql.cj.jdbc.MysqlDataSource;
import com.mysql.cj.protocol.ServerSessionStateController;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * The server's own report of session changes: MySQL's and MariaDB's session state tracking, which
 * Connector/J reads from every OK packet when {@code trackSessionState=true}. With
 * {@code session_track_state_change=ON} the server flags every statement that changed user or session
 * variables, the database, temporary tables or prepared statements, also inside stored procedures and
 * functions, where the text does not show it. (It does not flag named locks or LOCK TABLES: those come from
 * the text.) Reading it is a field read per statement: no round trip.
 */
public final class ServerReports {

    /** The Connector/J property that asks the server for the reports. */
    public static final String TRACK_PROPERTY = "trackSessionState";
    /** The Connector/J property whose variables are set on every new session. */
    public static final String SESSION_VARIABLES_PROPERTY = "sessionVariables";
    /** The server variable that makes the server flag every change of the session state. */
    public static final String STATE_CHANGE_VARIABLE = "session_track_state_change=ON";

    private final ServerSessionStateController controller;

    private ServerReports(ServerSessionStateController controller) {
        this.controller = controller;
    }

    /**
     * The reports of a Connector/J connection ({@code physical} may be a pool's proxy), or null if it is not
     * one or does not track the session state.
     */
    public static ServerReports of(Connection physical) {
        try {
            if (!physical.isWrapperFor(JdbcConnection.class)) {
                return null;
            }
            JdbcConnection connection = physical.unwrap(JdbcConnection.class);
            PropertySet settings = connection.getPropertySet();
            if (!reporting(settings.getBooleanProperty(PropertyKey.trackSessionState).getValue(),
                    settings.getStringProperty(PropertyKey.sessionVariables).getValue())) {
                return null;
            }
            return new ServerReports(connection.getServerSessionStateController());
        } catch (SQLException | RuntimeException | LinkageError e) {
            return null;
        }
    }

    /** Whether the last statement's reply said that it changed the session. */
    public boolean changed() {
        ServerSessionStateController.ServerSessionStateChanges changes = controller.getSessionStateChanges();
        return changes != null && !changes.getSessionStateChangesList().isEmpty();
    }

    /**
     * The driver properties to add to a pool's (before it starts) so that every connection it makes reports
     * session changes: {@code trackSessionState=true}, and {@code session_track_state_change=ON} added to
     * {@code sessionVariables}. Empty if the URL is not Connector/J's or sets either property itself (the
     * application's choice stands).
     */
    public static Map<String, String> request(String jdbcUrl, Properties driverProperties) {
        if (jdbcUrl == null || !jdbcUrl.startsWith("jdbc:mysql:")) {
            return Map.of();
        }
        String url = jdbcUrl.toLowerCase(Locale.ROOT);
        if (url.contains(TRACK_PROPERTY.toLowerCase(Locale.ROOT))
                || url.contains(SESSION_VARIABLES_PROPERTY.toLowerCase(Locale.ROOT))) {
            return Map.of();
        }
        String variables = driverProperties.getProperty(SESSION_VARIABLES_PROPERTY);
        return Map.of(TRACK_PROPERTY, "true", SESSION_VARIABLES_PROPERTY,
                variables == null || variables.isBlank() ? STATE_CHANGE_VARIABLE : variables + "," + STATE_CHANGE_VARIABLE);
    }

    /** Whether these driver properties make sessions that report every change of their state. */
    public static boolean requested(Properties driverProperties) {
        return reporting(Boolean.parseBoolean(driverProperties.getProperty(TRACK_PROPERTY)),
                driverProperties.getProperty(SESSION_VARIABLES_PROPERTY));
    }

    /** Whether a Connector/J URL asks for the reports itself. */
    public static boolean requested(String jdbcUrl) {
        if (jdbcUrl == null) {
            return false;
        }
        String url = jdbcUrl.toLowerCase(Locale.ROOT);
        return url.contains(TRACK_PROPERTY.toLowerCase(Locale.ROOT) + "=true")
                && url.contains(STATE_CHANGE_VARIABLE.toLowerCase(Locale.ROOT));
    }

    /** Whether a Connector/J DataSource makes sessions that report every change of their state. */
    public static boolean requested(MysqlDataSource driver) {
        return reporting(driver.getBooleanProperty(PropertyKey.trackSessionState).getValue(),
                driver.getStringProperty(PropertyKey.sessionVariables).getValue());
    }

    /** Whether a session made with these Connector/J settings reports every change of its state. */
    static boolean reporting(boolean tracked, String sessionVariables) {
        if (!tracked || sessionVariables == null) {
            return false;
        }
        String variables = sessionVariables.replace(" ", "").replace("'", "").toLowerCase(Locale.ROOT);
        return List.of(variables.split("[,;]")).contains(STATE_CHANGE_VARIABLE.toLowerCase(Locale.ROOT));
    }
}
