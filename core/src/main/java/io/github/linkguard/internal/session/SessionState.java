package io.github.linkguard.internal.session;

import io.github.linkguard.internal.session.SqlTokens.Kind;
import io.github.linkguard.internal.session.SqlTokens.Token;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
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
    private String nextTransaction;
    /** Named locks held, with how many times each was taken. */
    private final Map<String, Integer> namedLocks = new LinkedHashMap<>();
    /** The server's id of the session that holds {@link #namedLocks}: after a lost link, the one that is gone. */
    private long lockHolder;

    private final Set<String> temporaryTables = new LinkedHashSet<>();
    private final Set<String> preparedStatements = new LinkedHashSet<>();
    private final Set<String> handlers = new LinkedHashSet<>();
    private boolean tablesLocked;
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
            boolean serverReports) {
        Reading reading = new Reading(parameters);
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

    private void unseen(String what) {
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
        if (failure != null && isLostLink(failure)) {
            return failure; // the fresh link broke: another fresh one may do
        }
        restoreFailed = why;
        return lostException(failure);
    }

    private static boolean isLostLink(SQLException failure) {
        return failure instanceof SQLRecoverableException
                || (failure.getSQLState() != null && failure.getSQLState().startsWith("08"));
    }

    /** Reads back the values computed by expressions and which named locks this session holds now. */
    private void readBack(Connection physical, Reading reading) {
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

    private void put(String key, String statement) {
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

    /** One reading of a text's statements: what they set, and what must be read back from the server. */
    private final class Reading {
        private final Parameters parameters;
        /** Settings whose value an expression computed: key to the expression that reads it. */
        final Map<String, String> readBack = new LinkedHashMap<>();
        /** Lock names a lock function was called on, with the change in count (+1 per GET_LOCK, -1 per RELEASE_LOCK). */
        final Map<String, Integer> lockCalls = new LinkedHashMap<>();
        /** Whether every statement of the text changes the session in ways the server reports. */
        boolean explained = true;
        /** Whether the statement being read computes values (SET, SELECT, DO, CALL, ...), as opposed to DDL. */
        private boolean computes;
        private int parameterIndex;

        Reading(Parameters parameters) {
            this.parameters = parameters;
        }

        void statement(List<Token> tokens, boolean serverReports) {
            boolean before = explained;
            int assignments = readBack.size();
            explained = false;
            computes = false;
            interpret(tokens, serverReports);
            // a change the server reports is explained by the statement's own SET, USE, ... or assignments,
            // unless it also calls a stored routine, which may have changed more
            explained = before && (explained || readBack.size() > assignments)
                    && !(computes && SqlFunctions.callsRoutine(tokens));
        }

        private void interpret(List<Token> tokens, boolean serverReports) {
            if (tokens.get(0).is("{")) { // JDBC escape syntax: {call p(?)}, {?= call f(?)}
                int from = 1;
                while (from < tokens.size() && (tokens.get(from).kind() == Kind.PARAMETER || tokens.get(from).is("="))) {
                    parameterIndex += tokens.get(from).kind() == Kind.PARAMETER ? 1 : 0;
                    from++;
                }
                if (from == tokens.size()) {
                    return;
                }
                tokens = tokens.subList(from, tokens.size());
            }
            Token first = tokens.get(0);
            String keyword = first.kind() == Kind.WORD ? first.text().toUpperCase(Locale.ROOT) : "";
            switch (keyword) {
                case "SET":
                    explained = true;
                    computes = true;
                    set(tokens);
                    break;
                case "USE":
                    explained = true;
                    if (tokens.size() > 1) {
                        put("database", "USE " + tokens.get(1).text());
                    }
                    break;
                case "LOCK":
                case "UNLOCK":
                    if (tokens.size() > 1 && (tokens.get(1).is("TABLES") || tokens.get(1).is("TABLE"))) {
                        tablesLocked = keyword.equals("LOCK");
                    }
                    break;
                case "CREATE":
                    createTemporary(tokens);
                    break;
                case "DROP":
                    explained = true;
                    drop(tokens);
                    break;
                case "PREPARE":
                    explained = true;
                    if (tokens.size() > 1) {
                        preparedStatements.add(tokens.get(1).name());
                    }
                    break;
                case "DEALLOCATE":
                    explained = true;
                    if (tokens.size() > 2) {
                        preparedStatements.remove(tokens.get(2).name());
                    }
                    break;
                case "HANDLER":
                    handler(tokens);
                    break;
                case "CALL":
                    computes = true;
                    if (!serverReports) {
                        unseen("a stored procedure (CALL " + (tokens.size() > 1 ? tokens.get(1).text() : "")
                                + "), which may change the session where LinkGuard cannot see it (turn on the "
                                + "server's session tracking to see it: see the README)");
                    }
                    expressions(tokens, 1);
                    break;
                default:
                    computes = true;
                    expressions(tokens, 0);
            }
        }

        /** SET: variables (sticky GLOBAL/SESSION scope), NAMES, CHARACTER SET, TRANSACTION, ROLE. */
        private void set(List<Token> tokens) {
            if (tokens.size() < 2) {
                return;
            }
            Token second = tokens.get(1);
            String whole = textOf(tokens, 0, tokens.size());
            if (second.is("NAMES")) {
                put("names", whole);
            } else if (second.is("CHARACTER") || second.is("CHARSET")) {
                put("charset", whole);
            } else if (second.is("TRANSACTION")) {
                nextTransaction = whole;
            } else if (second.is("ROLE")) {
                put("role", whole);
            } else if (second.is("PASSWORD") || second.is("DEFAULT") || second.is("STATEMENT")) {
                return; // not session state (an account's settings; a single statement's variables)
            } else if (second.is("RESOURCE")) {
                put("resource group", whole);
            } else if ((second.is("SESSION") || second.is("LOCAL")) && tokens.size() > 2
                    && tokens.get(2).is("TRANSACTION")) {
                sessionTransaction(tokens);
            } else if ((second.is("GLOBAL")) && tokens.size() > 2 && tokens.get(2).is("TRANSACTION")) {
                return;
            } else {
                assignments(tokens);
            }
        }

        private void sessionTransaction(List<Token> tokens) {
            for (int[] part : commaSeparated(tokens, 3)) {
                String characteristic = textOf(tokens, part[0], part[1]);
                String key = tokens.get(part[0]).is("ISOLATION") ? "transaction_isolation" : "transaction_read_only";
                put(key, "SET SESSION TRANSACTION " + characteristic);
            }
        }

        private void assignments(List<Token> tokens) {
            boolean global = false;
            for (int[] part : commaSeparated(tokens, 1)) {
                int i = part[0];
                Token target = tokens.get(i);
                if (target.is("GLOBAL") || target.is("PERSIST") || target.is("PERSIST_ONLY")) {
                    global = true;
                    i++;
                } else if (target.is("SESSION") || target.is("LOCAL")) {
                    global = false;
                    i++;
                }
                int equals = i;
                while (equals < part[1] && !tokens.get(equals).is("=") && !tokens.get(equals).is(":=")) {
                    equals++;
                }
                if (i >= part[1] || equals >= part[1]) {
                    continue;
                }
                assignment(tokens, i, equals, part[1], global);
            }
        }

        private void assignment(List<Token> tokens, int target, int equals, int end, boolean global) {
            String name = textOf(tokens, target, equals).replace(" ", "");
            boolean user = name.startsWith("@") && !name.startsWith("@@");
            String key;
            if (user) {
                key = "@" + SqlTokens.unquote(name.substring(1)).toLowerCase(Locale.ROOT);
            } else {
                String variable = name.toLowerCase(Locale.ROOT);
                if (variable.startsWith("@@global.")) {
                    return;
                }
                if (global && !variable.startsWith("@@")) {
                    return;
                }
                variable = variable.replaceFirst("^@@(session\\.|local\\.)?", "").replace("`", "");
                key = canonical(variable);
            }
            String value = textOf(tokens, equals + 1, end);
            if (literal(tokens, equals + 1, end) && !"autocommit".equals(key)) {
                put(key, "SET " + (user ? name : "SESSION " + key) + " = " + value);
            } else {
                readBack.put(key, user ? name : "@@SESSION." + key);
            }
            countParameters(tokens, equals + 1, end);
        }

        private void createTemporary(List<Token> tokens) {
            int i = 1;
            if (i + 1 < tokens.size() && tokens.get(i).is("OR") && tokens.get(i + 1).is("REPLACE")) {
                i += 2;
            }
            if (i + 1 < tokens.size() && tokens.get(i).is("TEMPORARY") && tokens.get(i + 1).is("TABLE")) {
                explained = true;
                i += 2;
                if (i + 2 < tokens.size() && tokens.get(i).is("IF") && tokens.get(i + 1).is("NOT")) {
                    i += 3;
                }
                if (i < tokens.size()) {
                    temporaryTables.add(tableName(tokens, i));
                }
            }
        }

        private void drop(List<Token> tokens) {
            int i = 1;
            if (i < tokens.size() && tokens.get(i).is("PREPARE")) {
                if (i + 1 < tokens.size()) {
                    preparedStatements.remove(tokens.get(i + 1).name());
                }
                return;
            }
            if (i < tokens.size() && tokens.get(i).is("TEMPORARY")) {
                i++;
            }
            if (i >= tokens.size() || !(tokens.get(i).is("TABLE") || tokens.get(i).is("TABLES"))) {
                return;
            }
            i++;
            if (i + 1 < tokens.size() && tokens.get(i).is("IF") && tokens.get(i + 1).is("EXISTS")) {
                i += 2;
            }
            for (int[] part : commaSeparated(tokens, i)) {
                temporaryTables.remove(tableName(tokens, part[0]));
            }
        }

        private void handler(List<Token> tokens) {
            if (tokens.size() < 3) {
                return;
            }
            String table = tableName(tokens, 1);
            int after = tokens.get(2).is(".") ? 4 : 2;
            if (after < tokens.size() && tokens.get(after).is("OPEN")) {
                boolean alias = after + 2 < tokens.size() && tokens.get(after + 1).is("AS");
                handlers.add(alias ? tokens.get(after + 2).name() : table);
            } else if (after < tokens.size() && tokens.get(after).is("CLOSE")) {
                handlers.remove(table);
            }
        }

        /** User variables assigned inside other statements ({@code @x := ...}, {@code INTO @x}) and lock functions. */
        private void expressions(List<Token> tokens, int from) {
            for (int i = from; i < tokens.size(); i++) {
                Token token = tokens.get(i);
                if (token.kind() == Kind.PARAMETER) {
                    parameterIndex++;
                } else if (token.kind() == Kind.VARIABLE && !token.text().startsWith("@@")
                        && (i + 1 < tokens.size() && tokens.get(i + 1).is(":=")
                            || i > 0 && (tokens.get(i - 1).is("INTO") || tokens.get(i - 1).is(",") && assignsInto(tokens, i)))) {
                    String name = token.text();
                    readBack.put("@" + SqlTokens.unquote(name.substring(1)).toLowerCase(Locale.ROOT), name);
                } else if (token.kind() == Kind.WORD && i + 1 < tokens.size() && tokens.get(i + 1).is("(")) {
                    lockFunction(token, tokens, i + 2);
                }
            }
        }

        /** Whether the variable at {@code i}, after a comma, is in an {@code INTO @a, @b} list. */
        private boolean assignsInto(List<Token> tokens, int i) {
            for (int j = i - 1; j > 0; j -= 2) {
                if (!tokens.get(j).is(",") || tokens.get(j - 1).kind() != Kind.VARIABLE) {
                    return false;
                }
                if (j - 2 >= 0 && tokens.get(j - 2).is("INTO")) {
                    return true;
                }
            }
            return false;
        }

        private void lockFunction(Token function, List<Token> tokens, int argument) {
            int change;
            if (function.is("GET_LOCK")) {
                change = 1;
            } else if (function.is("RELEASE_LOCK")) {
                change = -1;
            } else if (function.is("RELEASE_ALL_LOCKS")) {
                for (String held : namedLocks.keySet()) {
                    lockCalls.put(held, -namedLocks.get(held));
                }
                return;
            } else {
                return;
            }
            String name = null;
            if (argument < tokens.size()) {
                Token given = tokens.get(argument);
                if (given.kind() == Kind.STRING) {
                    name = SqlTokens.unquote(given.text());
                } else if (given.kind() == Kind.PARAMETER) {
                    Object bound = parameters.value(parameterIndex + 1);
                    name = bound instanceof String ? (String) bound : null;
                }
            }
            if (name == null) {
                unseen("a named lock whose name LinkGuard cannot tell (" + function.text() + " of an expression)");
                return;
            }
            lockCalls.merge(name, change, Integer::sum);
        }

        private void countParameters(List<Token> tokens, int from, int to) {
            for (int i = from; i < to; i++) {
                if (tokens.get(i).kind() == Kind.PARAMETER) {
                    parameterIndex++;
                }
            }
        }
    }

    /** The known aliases of session variables, so that both spellings replace each other. */
    private static String canonical(String variable) {
        switch (variable) {
            case "tx_isolation":
                return "transaction_isolation";
            case "tx_read_only":
                return "transaction_read_only";
            default:
                return variable;
        }
    }

    /** Whether the tokens are constants: no function or subquery, variable or parameter. */
    private static boolean literal(List<Token> tokens, int from, int to) {
        for (int i = from; i < to; i++) {
            Token token = tokens.get(i);
            if (token.is("(") || token.kind() == Kind.VARIABLE || token.kind() == Kind.PARAMETER) {
                return false;
            }
        }
        return from < to;
    }

    /** The table name at {@code i}, without its schema: {@code t}, {@code db.t}, {@code `db`.`t`}. */
    private static String tableName(List<Token> tokens, int i) {
        if (i + 2 < tokens.size() && tokens.get(i + 1).is(".")) {
            return tokens.get(i + 2).name();
        }
        return tokens.get(i).name();
    }

    /** The original text of tokens {@code [from, to)}. */
    private static String textOf(List<Token> tokens, int from, int to) {
        if (from >= to) {
            return "";
        }
        StringBuilder text = new StringBuilder();
        for (int i = from; i < to; i++) {
            if (i > from && tokens.get(i).start() > tokens.get(i - 1).end()) {
                text.append(' ');
            }
            text.append(tokens.get(i).text());
        }
        return text.toString();
    }

    /** The parts of tokens from {@code from} on, split at commas outside parentheses: {start, end} each. */
    private static List<int[]> commaSeparated(List<Token> tokens, int from) {
        List<int[]> parts = new ArrayList<>();
        int depth = 0;
        int start = from;
        for (int i = from; i < tokens.size(); i++) {
            Token token = tokens.get(i);
            if (token.is("(")) {
                depth++;
            } else if (token.is(")")) {
                depth--;
            } else if (depth == 0 && token.is(",")) {
                if (i > start) {
                    parts.add(new int[] {start, i});
                }
                start = i + 1;
            }
        }
        if (tokens.size() > start) {
            parts.add(new int[] {start, tokens.size()});
        }
        return parts;
    }
}
