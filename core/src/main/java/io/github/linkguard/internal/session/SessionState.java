package io.github.linkguard.internal.session;

import io.github.linkguard.internal.retry.RetryPolicy;
import io.github.linkguard.internal.session.SqlTokens.Kind;
import io.github.linkguard.internal.session.SqlTokens.Token;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransactionRollbackException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;

/**
 * What one application Connection's session holds beyond a fresh link's defaults, so that after a lost link
 * a fresh link becomes the same session, or the Connection fails loudly. Two sources: the JDBC settings the
 * application made, and what its SQL did (read by {@link #record} from the statements {@link SessionSql}
 * flags, and from the server's own report of changes where it is on).
 *
 * <p>Restorable, in order: JDBC settings; then each SQL setting by its last assignment ({@code SET} of user
 * and session variables, {@code SET NAMES}, {@code USE}, ...), as a literal (a value computed by an
 * expression is read back from the server right after the statement, so that the fresh link gets the very
 * same value); then the named locks ({@code GET_LOCK}), taken again without waiting. Not restorable: temporary
 * tables, {@code LOCK TABLES}, SQL prepared statements, open {@code HANDLER}s, a change the server reported
 * that the text does not explain, and a lock another session took meanwhile. Not thread-safe.
 */
public final class SessionState {

    /** Bound parameter values of the statement that ran, by index, for lock names given as {@code ?}. */
    @FunctionalInterface
    public interface Parameters {
        /** The value bound at {@code index} (1-based), or null if it is not known. */
        Object value(int index);
    }

    /** How long a restore waits for a lock that the lost session itself still holds. */
    private static final int OWN_LOST_SESSION_WAIT_SECONDS = 2;

    private Boolean readOnly;
    private Integer isolation;
    private String catalog;
    private String schema;
    private Integer holdability;
    private Executor networkExecutor;
    private int networkTimeout = -1;

    /** SQL settings: what they set (a variable, the database, ...) to the statement that sets it again. */
    private final Map<String, String> settings = new LinkedHashMap<>();
    /** {@code SET TRANSACTION ...} without a scope: it applies to the next transaction only. */
    String nextTransaction;
    /** Named locks held, with how many times each was taken. */
    final Map<String, Integer> namedLocks = new LinkedHashMap<>();
    /** The server's id of the session that holds {@link #namedLocks}: after a lost link, the one that is gone. */
    private long lockHolder;

    final Set<String> temporaryTables = new LinkedHashSet<>();
    final Set<String> preparedStatements = new LinkedHashSet<>();
    final Set<String> handlers = new LinkedHashSet<>();
    boolean tablesLocked;
    /** A change LinkGuard could not see exactly, or null. */
    private String unseen;
    /** Why restoring failed for good, or null. */
    private String restoreFailed;
    /** Auto-commit as a {@code SET autocommit} just left it, until the connection takes it; else null. */
    private Boolean sqlAutoCommit;

    public void readOnly(boolean readOnly) {
        this.readOnly = readOnly;
        settings.remove("transaction_read_only");
    }

    /** Whether the application made the connection read-only (then no transaction of it can write). */
    public boolean readOnly() {
        return Boolean.TRUE.equals(readOnly);
    }

    public void isolation(int level) {
        this.isolation = level;
        settings.remove("transaction_isolation");
    }

    public void catalog(String catalog) {
        this.catalog = catalog;
        settings.remove("database");
    }

    public void schema(String schema) {
        this.schema = schema;
    }

    public void holdability(int holdability) {
        this.holdability = holdability;
    }

    public void networkTimeout(Executor executor, int milliseconds) {
        this.networkExecutor = executor;
        this.networkTimeout = milliseconds;
    }

    /** The application set auto-commit through JDBC: that overrides a {@code SET autocommit} made before. */
    public void autoCommit() {
        settings.remove("autocommit");
    }

    /**
     * A copy of the state made with SQL, which outlives a return to the pool (the pool resets only what was
     * set through JDBC); null if there is none.
     */
    SessionState sqlMade() {
        if (settings.isEmpty() && nextTransaction == null && namedLocks.isEmpty() && temporaryTables.isEmpty()
                && preparedStatements.isEmpty() && handlers.isEmpty() && !tablesLocked && unseen == null
                && restoreFailed == null) {
            return null;
        }
        SessionState copy = new SessionState();
        copy.settings.putAll(settings);
        copy.nextTransaction = nextTransaction;
        copy.namedLocks.putAll(namedLocks);
        copy.lockHolder = lockHolder;
        copy.temporaryTables.addAll(temporaryTables);
        copy.preparedStatements.addAll(preparedStatements);
        copy.handlers.addAll(handlers);
        copy.tablesLocked = tablesLocked;
        copy.unseen = unseen;
        copy.restoreFailed = restoreFailed;
        return copy;
    }

    /** Auto-commit as the last statement set it with SQL ({@code SET autocommit}), once; null if it did not. */
    public Boolean takeAutoCommit() {
        Boolean set = sqlAutoCommit;
        sqlAutoCommit = null;
        return set;
    }

    /** Whether a {@code SET TRANSACTION} without a scope waits for the next statement (its transaction). */
    public boolean nextTransactionSet() {
        return nextTransaction != null;
    }

    /** A statement ran: a {@code SET TRANSACTION} made before it was for this one, and is used up. */
    public void statementRan() {
        nextTransaction = null;
    }

    /**
     * Reads what {@code sql}, which just ran successfully on {@code physical}, did to the session. Values
     * computed by expressions and the named locks are read back from {@code physical}.
     *
     * @param parameters the bound parameters, for lock names given as {@code ?}
     * @param resultsOpen whether a streamed result of the statement still occupies the link (nothing can be
     *        read back then)
     * @param serverReports whether the server reports session changes on this link (session tracking), so
     *        that a stored procedure's effect does not go unseen
     * @return whether the text explains changes the server may report (SET, USE, temporary tables, ...)
     */
    public boolean record(String sql, Connection physical, Parameters parameters, boolean resultsOpen,
            boolean serverReports) throws SQLException {
        SqlReading reading = new SqlReading(this, parameters);
        for (List<Token> statement : SqlTokens.statements(sql)) {
            reading.statement(statement, serverReports);
        }
        if (!reading.readBack.isEmpty() || !reading.lockCalls.isEmpty()) {
            if (resultsOpen) {
                unseen("a statement changed variables or named locks while its streamed result was open");
            } else {
                readBack(physical, reading);
            }
        }
        return reading.explained;
    }

    /** The server reported a change of the session that the statement's text does not explain. */
    public void unexplainedChange(String sql) {
        unseen("a statement changed the session where its text does not show it (the server reported it): "
                + firstWords(sql) + ". A stored procedure or function can do that");
    }

    void unseen(String what) {
        if (unseen == null) {
            unseen = what;
        }
    }

    /**
     * What makes this session impossible to restore on a fresh link, said for the application's exception;
     * null if it can be restored.
     */
    public String unrestorable() {
        List<String> parts = new ArrayList<>();
        if (restoreFailed != null) {
            parts.add(restoreFailed);
        }
        if (!temporaryTables.isEmpty()) {
            parts.add((temporaryTables.size() == 1 ? "a temporary table " : "temporary tables ")
                    + names(temporaryTables) + ", which the server dropped with the session");
        }
        if (tablesLocked) {
            parts.add("tables locked with LOCK TABLES, which the server unlocked with the session");
        }
        if (!preparedStatements.isEmpty()) {
            parts.add((preparedStatements.size() == 1 ? "the SQL prepared statement " : "the SQL prepared statements ")
                    + names(preparedStatements) + ", which the server deallocated with the session");
        }
        if (!handlers.isEmpty()) {
            parts.add("the open HANDLER " + names(handlers) + ", which the server closed with the session");
        }
        if (unseen != null) {
            parts.add(unseen);
        }
        return parts.isEmpty() ? null : String.join("; ", parts);
    }

    /**
     * The exception every call gets on a Connection whose session could not be restored: SQLState
     * {@code 08003} (the session no longer exists), saying what was lost.
     */
    public SQLException lostException(SQLException cause) {
        return new SQLNonTransientConnectionException("LinkGuard: the link to the database was lost, and this "
                + "connection's session cannot be made again on a fresh link: it had " + unrestorable() + ". Every "
                + "call on this connection fails until it is closed; close it and start the work again on a new "
                + "connection.", "08003", cause);
    }

    /**
     * Makes {@code fresh} this session: JDBC settings, SQL settings in order, then the named locks (without
     * waiting). A failure that is not a lost link (a lock another session holds now, a setting the server
     * refuses now) makes the session unrestorable for good.
     *
     * @throws SQLException the fresh link failed, or (SQLState 08003) the session cannot be restored
     */
    public void restore(Connection fresh) throws SQLException {
        if (readOnly != null) {
            fresh.setReadOnly(readOnly);
        }
        if (isolation != null) {
            fresh.setTransactionIsolation(isolation);
        }
        if (catalog != null) {
            fresh.setCatalog(catalog);
        }
        if (schema != null) {
            fresh.setSchema(schema);
        }
        if (holdability != null) {
            fresh.setHoldability(holdability);
        }
        if (networkTimeout >= 0) {
            fresh.setNetworkTimeout(networkExecutor, networkTimeout);
        }
        if (!settings.isEmpty() || nextTransaction != null) {
            restoreSettings(fresh);
        }
        if (!namedLocks.isEmpty()) {
            restoreLocks(fresh);
        }
    }

    private void restoreSettings(Connection fresh) throws SQLException {
        try (Statement statement = fresh.createStatement()) {
            for (String setting : statements()) {
                try {
                    statement.execute(setting);
                } catch (SQLException e) {
                    throw failedForGood(e, "the server refused to make a setting again (" + e.getMessage() + ")");
                }
            }
        }
    }

    /** The statements that make the SQL settings again on a fresh link, in order. */
    List<String> statements() {
        List<String> statements = new ArrayList<>(settings.values());
        if (nextTransaction != null) {
            statements.add(nextTransaction);
        }
        return statements;
    }

    private void restoreLocks(Connection fresh) throws SQLException {
        try (PreparedStatement take = fresh.prepareStatement("SELECT GET_LOCK(?, ?), IS_USED_LOCK(?)")) {
            for (Map.Entry<String, Integer> lock : namedLocks.entrySet()) {
                for (int times = 0; times < lock.getValue(); times++) {
                    long holder = take(take, lock.getKey(), 0);
                    if (holder != 0 && holder == lockHolder) {
                        // the lost session itself, which the server is still ending (a killed session lets go
                        // of its locks a moment after KILL returns): wait for it, briefly
                        holder = take(take, lock.getKey(), OWN_LOST_SESSION_WAIT_SECONDS);
                    }
                    if (holder != 0) {
                        throw failedForGood(null, "the named lock '" + lock.getKey() + "', which "
                                + (holder == lockHolder ? "the lost session (connection " + holder + ") still holds: "
                                        + "the server has not ended it yet"
                                        : "another session (connection " + holder + ") took while the link was "
                                        + "down, so this session's hold on it was broken"));
                    }
                }
            }
            try (Statement statement = fresh.createStatement();
                    ResultSet id = statement.executeQuery("SELECT CONNECTION_ID()")) {
                id.next();
                lockHolder = id.getLong(1);
            }
        }
    }

    /** Takes a lock, waiting at most {@code seconds}: 0 if taken, else the id of the session that holds it. */
    private static long take(PreparedStatement take, String lock, int seconds) throws SQLException {
        take.setString(1, lock);
        take.setInt(2, seconds);
        take.setString(3, lock);
        try (ResultSet result = take.executeQuery()) {
            result.next();
            return result.getInt(1) == 1 ? 0 : result.getLong(2);
        }
    }

    private SQLException failedForGood(SQLException failure, String why) {
        if (failure != null && RetryPolicy.linkBroke(failure)) {
            return failure; // the fresh link broke: another fresh one may do
        }
        restoreFailed = why;
        return lostException(failure);
    }


    /**
     * Reads back the values computed by expressions and which named locks this session holds now. The server's
     * word that it rolled the open transaction back (Galera: another node's write won, 1213) is thrown: the
     * application must learn it from its statement, not from a later one running in a new transaction.
     */
    private void readBack(Connection physical, SqlReading reading) throws SQLException {
        try {
            for (Map.Entry<String, String> value : reading.readBack.entrySet()) {
                String expression = value.getValue();
                String literal = SqlLiterals.read(physical, expression);
                if ("autocommit".equals(value.getKey())) {
                    sqlAutoCommit = !"0".equals(literal);
                }
                put(value.getKey(), "SET " + (expression.startsWith("@@") ? "SESSION " + value.getKey()
                        : expression) + " = " + literal);
            }
            if (!reading.lockCalls.isEmpty()) {
                checkLocks(physical, reading.lockCalls);
            }
        } catch (SQLException e) {
            if (e instanceof SQLTransactionRollbackException) {
                throw e;
            }
            unseen("LinkGuard could not read back what a statement changed (" + e.getMessage() + ")");
        }
    }

    private void checkLocks(Connection physical, Map<String, Integer> calls) throws SQLException {
        try (PreparedStatement held = physical.prepareStatement("SELECT IS_USED_LOCK(?), CONNECTION_ID()")) {
            for (Map.Entry<String, Integer> call : calls.entrySet()) {
                held.setString(1, call.getKey());
                boolean holds;
                try (ResultSet result = held.executeQuery()) {
                    result.next();
                    lockHolder = result.getLong(2);
                    holds = result.getLong(1) == lockHolder;
                }
                if (holds) {
                    namedLocks.put(call.getKey(), Math.max(1, namedLocks.getOrDefault(call.getKey(), 0) + call.getValue()));
                } else {
                    namedLocks.remove(call.getKey());
                }
            }
        }
    }

    void put(String key, String statement) {
        settings.remove(key);
        settings.put(key, statement);
    }

    private static String names(Set<String> names) {
        return "`" + String.join("`, `", names) + "`";
    }

    private static String firstWords(String sql) {
        List<Token> tokens = SqlTokens.tokens(sql);
        StringBuilder words = new StringBuilder();
        for (int i = 0; i < Math.min(2, tokens.size()); i++) {
            if (tokens.get(i).kind() == Kind.WORD || tokens.get(i).kind() == Kind.QUOTED_NAME) {
                words.append(i == 0 ? "" : " ").append(tokens.get(i).text());
            }
        }
        return words.toString();
    }
}
