package io.github.linkguard.internal.session;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The tokens of a statement that may change the session: enough of MySQL's lexical rules (quotes, escapes,
 * comments, executable comments, variables) to read SET, USE, lock functions and the like exactly. Only
 * statements that {@link SessionSql} flagged come here, so it may allocate.
 */
final class SqlTokens {

    enum Kind { WORD, QUOTED_NAME, STRING, NUMBER, VARIABLE, PARAMETER, SYMBOL }

    /** One token: its kind and where it stands in the text. */
    record Token(Kind kind, int start, int end, String text) {

        boolean is(String word) {
            return (kind == Kind.WORD || kind == Kind.SYMBOL) && text.equalsIgnoreCase(word);
        }

        /** A name as the server compares it: unquoted, lower case. */
        String name() {
            if (kind == Kind.QUOTED_NAME || kind == Kind.STRING) {
                return unquote(text).toLowerCase(Locale.ROOT);
            }
            return text.toLowerCase(Locale.ROOT);
        }
    }

    private SqlTokens() {
    }

    /** The statements of {@code sql} (split at {@code ;}), each as its tokens; empty statements left out. */
    static List<List<Token>> statements(String sql) {
        List<List<Token>> statements = new ArrayList<>();
        List<Token> current = new ArrayList<>();
        for (Token token : tokens(sql)) {
            if (token.is(";")) {
                if (!current.isEmpty()) {
                    statements.add(current);
                    current = new ArrayList<>();
                }
            } else {
                current.add(token);
            }
        }
        if (!current.isEmpty()) {
            statements.add(current);
        }
        return statements;
    }

    static List<Token> tokens(String sql) {
        List<Token> tokens = new ArrayList<>();
        int length = sql.length();
        int i = 0;
        boolean executableComment = false;
        while (i < length) {
            char c = sql.charAt(i);
            int start = i;
            if (c <= ' ') {
                i++;
                continue;
            }
            if (c == '/' && sql.startsWith("/*", i)) {
                if (sql.startsWith("/*!", i) || sql.startsWith("/*M!", i)) {
                    i = sql.indexOf('!', i) + 1;
                    while (i < length && Character.isDigit(sql.charAt(i))) {
                        i++;
                    }
                    executableComment = true;
                } else {
                    int end = sql.indexOf("*/", i + 2);
                    i = end < 0 ? length : end + 2;
                }
                continue;
            }
            if (executableComment && c == '*' && sql.startsWith("*/", i)) {
                executableComment = false;
                i += 2;
                continue;
            }
            if (c == '#' || (c == '-' && sql.startsWith("--", i) && (i + 2 == length || sql.charAt(i + 2) <= ' '))) {
                int end = sql.indexOf('\n', i);
                i = end < 0 ? length : end + 1;
                continue;
            }
            Kind kind;
            if (c == '\'' || c == '"') {
                i = endOfQuoted(sql, i, c);
                kind = Kind.STRING;
            } else if (c == '`') {
                i = endOfQuoted(sql, i, c);
                kind = Kind.QUOTED_NAME;
            } else if (c == '@') {
                i = endOfVariable(sql, i);
                kind = Kind.VARIABLE;
            } else if (c == '?') {
                i++;
                kind = Kind.PARAMETER;
            } else if (Character.isDigit(c) || (c == '.' && i + 1 < length && Character.isDigit(sql.charAt(i + 1)))) {
                while (i < length && (Character.isLetterOrDigit(sql.charAt(i)) || sql.charAt(i) == '.')) {
                    i++;
                }
                kind = Kind.NUMBER;
            } else if (isNameChar(c)) {
                while (i < length && isNameChar(sql.charAt(i))) {
                    i++;
                }
                kind = Kind.WORD;
            } else {
                i += c == ':' && sql.startsWith(":=", i) ? 2 : 1;
                kind = Kind.SYMBOL;
            }
            tokens.add(new Token(kind, start, i, sql.substring(start, i)));
        }
        return tokens;
    }

    private static boolean isNameChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '$' || c > 0x7f;
    }

    /** Past the closing quote of a quoted string or name starting at {@code start} (doubled quotes and, in strings, backslashes escape). */
    private static int endOfQuoted(String sql, int start, char quote) {
        int i = start + 1;
        while (i < sql.length()) {
            char c = sql.charAt(i);
            if (c == '\\' && quote != '`') {
                i += 2;
            } else if (c == quote) {
                if (i + 1 < sql.length() && sql.charAt(i + 1) == quote) {
                    i += 2;
                } else {
                    return i + 1;
                }
            } else {
                i++;
            }
        }
        return sql.length();
    }

    /** {@code @name}, {@code @'name'}, {@code @`name`}, {@code @@name}, {@code @@session.name}. */
    private static int endOfVariable(String sql, int start) {
        int i = start + 1;
        if (i < sql.length() && sql.charAt(i) == '@') {
            i++;
        }
        if (i < sql.length() && (sql.charAt(i) == '\'' || sql.charAt(i) == '"' || sql.charAt(i) == '`')) {
            return endOfQuoted(sql, i, sql.charAt(i));
        }
        while (i < sql.length() && (isNameChar(sql.charAt(i)) || sql.charAt(i) == '.')) {
            i++;
        }
        return i;
    }

    /** The content of a quoted string or name, its escapes resolved. */
    static String unquote(String quoted) {
        if (quoted.length() < 2) {
            return quoted;
        }
        char quote = quoted.charAt(0);
        if (quote != '\'' && quote != '"' && quote != '`') {
            return quoted;
        }
        StringBuilder text = new StringBuilder(quoted.length());
        for (int i = 1; i < quoted.length() - 1; i++) {
            char c = quoted.charAt(i);
            if (c == '\\' && quote != '`' && i + 1 < quoted.length() - 1) {
                i++;
                text.append(quoted.charAt(i));
            } else if (c == quote) {
                i++; // a doubled quote
                text.append(quote);
            } else {
                text.append(c);
            }
        }
        return text.toString();
    }
}
