package io.github.linkguard.internal.session;

import com.mysql.cj.conf.PropertyKey;
import com.mysql.cj.jdbc.JdbcConnection;
import com.mysql.cj.jdbc.MysqlDataSource;
import com.mysql.cj.protocol.ServerSession;
import com.mysql.cj.protocol.ServerSessionStateController;
import io.github.linkguard.internal.transaction.ServerWord;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.function.Predicate;

/**
 * The server's own report of session changes: MySQL's and MariaDB's session state tracking, which
 * Connector/J reads from every OK packet when {@code trackSessionState=true}. With
 * {@code session_track_state_change=ON} the server flags every statement that changed user or session
 * variables, the database, temporary tables or prepared statements, also inside stored procedures and
 * functions, where the text does not show it. (It does not flag named locks or LOCK TABLES: those come from
 * the text.) With {@code session_track_transaction_info=STATE} every reply also carries the transaction's state
 * after the statement ({@link #transactionState()}), where it changed. Reading either is a field read per
 * statement: no round trip, no allocation.
 */
public final class ServerReports implements ServerWord {

    /** The Connector/J property that asks the server for the reports. */
    public static final String TRACK_PROPERTY = "trackSessionState";
    /** The Connector/J property whose variables are set on every new session. */
    public static final String SESSION_VARIABLES_PROPERTY = "sessionVariables";
    /** The server variable that makes the server flag every change of the session state. */
    public static final String STATE_CHANGE_VARIABLE = "session_track_state_change=ON";
    /** The server variable that makes the server report the transaction's state after every statement. */
    public static final String TRANSACTION_STATE_VARIABLE = "session_track_transaction_info=STATE";
    /** The same variable's value that reports characteristics too (and so the state). */
    private static final String TRANSACTION_CHARACTERISTICS_VARIABLE = "session_track_transaction_info=characteristics";

    private final ServerSessionStateController controller;
    private final ServerSession serverSession;
    private final boolean sessionChanges;
    private final boolean transactions;

    private ServerReports(ServerSessionStateController controller, ServerSession serverSession,
            boolean sessionChanges, boolean transactions) {
        this.controller = controller;
        this.serverSession = serverSession;
        this.sessionChanges = sessionChanges;
        this.transactions = transactions;
    }

    /**
     * What the server says on a Connector/J connection ({@code physical} may be a pool's proxy), or null if it
     * is not one. Every reply's status flags say whether a transaction is open ({@link #inTransaction()});
     * the reports of session changes and transaction states come where the DataSource's sessions track them
     * ({@code tracked}, decided once per DataSource).
     */
    public static ServerReports of(Connection physical, Tracked tracked) {
        try {
            if (!physical.isWrapperFor(JdbcConnection.class)) {
                return null;
            }
            JdbcConnection connection = physical.unwrap(JdbcConnection.class);
            return new ServerReports(connection.getServerSessionStateController(),
                    connection.getSession().getServerSession(), tracked.sessionChanges(), tracked.transactions());
        } catch (SQLException | RuntimeException | LinkageError e) {
            return null;
        }
    }

    /** Whether the server reports every change of the session state on this link. */
    public boolean sessionChanges() {
        return sessionChanges;
    }

    /** Whether the last statement's reply said that it changed the session (session changes reported). */
    public boolean changed() {
        ServerSessionStateController.ServerSessionStateChanges changes = controller.getSessionStateChanges();
        if (!sessionChanges || changes == null) {
            return false;
        }
        List<ServerSessionStateController.SessionStateChange> list = changes.getSessionStateChangesList();
        for (int i = 0; i < list.size(); i++) { // a transaction's state is not the session's
            int type = list.get(i).getType();
            if (type == ServerSessionStateController.SESSION_TRACK_SYSTEM_VARIABLES
                    || type == ServerSessionStateController.SESSION_TRACK_SCHEMA
                    || type == ServerSessionStateController.SESSION_TRACK_STATE_CHANGE) {
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean reportsTransactions() {
        return transactions;
    }

    /**
     * {@inheritDoc} The server's word on every OK and end of result, tracking or not. An error reply carries
     * no flags: after a statement that failed, this is what the reply before it said.
     */
    @Override
    public boolean inTransaction() {
        return serverSession.inTransactionOnServer();
    }

    @Override
    public String transactionState() {
        ServerSessionStateController.ServerSessionStateChanges changes = controller.getSessionStateChanges();
        if (!transactions || changes == null) {
            return null;
        }
        List<ServerSessionStateController.SessionStateChange> list = changes.getSessionStateChangesList();
        for (int i = 0; i < list.size(); i++) { // indexed: no iterator on every statement
            ServerSessionStateController.SessionStateChange change = list.get(i);
            if (change.getType() == ServerSessionStateController.SESSION_TRACK_TRANSACTION_STATE
                    && !change.getValues().isEmpty()) {
                return change.getValues().get(0);
            }
        }
        return null;
    }

    /**
     * The driver properties to add to a pool's (before it starts) so that every connection it makes reports
     * session changes and transaction states: {@code trackSessionState=true}, and
     * {@code session_track_state_change=ON} and {@code session_track_transaction_info=STATE} added to
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
        String ours = STATE_CHANGE_VARIABLE + "," + TRANSACTION_STATE_VARIABLE;
        return Map.of(TRACK_PROPERTY, "true", SESSION_VARIABLES_PROPERTY,
                variables == null || variables.isBlank() ? ours : variables + "," + ours);
    }

    /** What a DataSource's sessions report: every change of the session state, the transaction's state. */
    public record Tracked(boolean sessionChanges, boolean transactions) {

        /** Sessions that report nothing. */
        public static final Tracked NONE = new Tracked(false, false);

        /** What either reports. */
        public Tracked or(Tracked other) {
            return new Tracked(sessionChanges || other.sessionChanges, transactions || other.transactions);
        }
    }

    /** What sessions made with these driver properties report. */
    public static Tracked requested(Properties driverProperties) {
        return tracked(Boolean.parseBoolean(driverProperties.getProperty(TRACK_PROPERTY)),
                driverProperties.getProperty(SESSION_VARIABLES_PROPERTY));
    }

    /** What sessions made with a Connector/J URL report, by the URL's own properties. */
    public static Tracked requested(String jdbcUrl) {
        String url = jdbcUrl == null ? "" : jdbcUrl.toLowerCase(Locale.ROOT);
        if (!url.contains(TRACK_PROPERTY.toLowerCase(Locale.ROOT) + "=true")) {
            return Tracked.NONE;
        }
        return tracked(url::contains);
    }

    /** What sessions made by a Connector/J DataSource report. */
    public static Tracked requested(MysqlDataSource driver) {
        return tracked(driver.getBooleanProperty(PropertyKey.trackSessionState).getValue(),
                driver.getStringProperty(PropertyKey.sessionVariables).getValue());
    }

    /** What a session made with these Connector/J settings reports. */
    static Tracked tracked(boolean tracked, String sessionVariables) {
        if (!tracked || sessionVariables == null) {
            return Tracked.NONE;
        }
        List<String> variables = List.of(sessionVariables.replace(" ", "").replace("'", "").toLowerCase(Locale.ROOT)
                .split("[,;]"));
        return tracked(variables::contains);
    }

    /** What sessions report whose settings (lower case) hold the variable settings {@code set} finds. */
    private static Tracked tracked(Predicate<String> set) {
        return new Tracked(set.test(STATE_CHANGE_VARIABLE.toLowerCase(Locale.ROOT)),
                set.test(TRANSACTION_STATE_VARIABLE.toLowerCase(Locale.ROOT))
                        || set.test(TRANSACTION_CHARACTERISTICS_VARIABLE));
    }
}
