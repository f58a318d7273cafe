package io.github.linkguard.internal.session;

import io.github.linkguard.internal.session.SqlTokens.Kind;
import io.github.linkguard.internal.session.SqlTokens.Token;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One reading of a text's statements for a {@link SessionState}: what they set (recorded on the state at
 * once), and what must be read back from the server after them (values computed by expressions, the
 * named locks the text called lock functions on).
 */
final class SqlReading {

    private final SessionState state;
    private final SessionState.Parameters parameters;
    /** Settings whose value an expression computed: key to the expression that reads it. */
    final Map<String, String> readBack = new LinkedHashMap<>();
    /** Lock names a lock function was called on, with the change in count (+1 per GET_LOCK, -1 per RELEASE_LOCK). */
    final Map<String, Integer> lockCalls = new LinkedHashMap<>();
    /** Whether every statement of the text changes the session in ways the server reports. */
    boolean explained = true;
    /** Whether the statement being read computes values (SET, SELECT, DO, CALL, ...), as opposed to DDL. */
    private boolean computes;
    private int parameterIndex;

    SqlReading(SessionState state, SessionState.Parameters parameters) {
        this.state = state;
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
                    state.put("database", "USE " + tokens.get(1).text());
                }
                break;
            case "LOCK":
            case "UNLOCK":
                if (tokens.size() > 1 && (tokens.get(1).is("TABLES") || tokens.get(1).is("TABLE"))) {
                    state.tablesLocked = keyword.equals("LOCK");
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
                    state.preparedStatements.add(tokens.get(1).name());
                }
                break;
            case "DEALLOCATE":
                explained = true;
                if (tokens.size() > 2) {
                    state.preparedStatements.remove(tokens.get(2).name());
                }
                break;
            case "HANDLER":
                handler(tokens);
                break;
            case "CALL":
                computes = true;
                if (!serverReports) {
                    state.unseen("a stored procedure (CALL " + (tokens.size() > 1 ? tokens.get(1).text() : "")
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
            state.put("names", whole);
        } else if (second.is("CHARACTER") || second.is("CHARSET")) {
            state.put("charset", whole);
        } else if (second.is("TRANSACTION")) {
            state.nextTransaction = whole;
        } else if (second.is("ROLE")) {
            state.put("role", whole);
        } else if (second.is("PASSWORD") || second.is("DEFAULT") || second.is("STATEMENT")) {
            return; // not session state (an account's settings; a single statement's variables)
        } else if (second.is("RESOURCE")) {
            state.put("resource group", whole);
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
            state.put(key, "SET SESSION TRANSACTION " + characteristic);
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
            state.put(key, "SET " + (user ? name : "SESSION " + key) + " = " + value);
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
                state.temporaryTables.add(tableName(tokens, i));
            }
        }
    }

    private void drop(List<Token> tokens) {
        int i = 1;
        if (i < tokens.size() && tokens.get(i).is("PREPARE")) {
            if (i + 1 < tokens.size()) {
                state.preparedStatements.remove(tokens.get(i + 1).name());
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
            state.temporaryTables.remove(tableName(tokens, part[0]));
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
            state.handlers.add(alias ? tokens.get(after + 2).name() : table);
        } else if (after < tokens.size() && tokens.get(after).is("CLOSE")) {
            state.handlers.remove(table);
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
            for (String held : state.namedLocks.keySet()) {
                lockCalls.put(held, -state.namedLocks.get(held));
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
            state.unseen("a named lock whose name LinkGuard cannot tell (" + function.text() + " of an expression)");
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
