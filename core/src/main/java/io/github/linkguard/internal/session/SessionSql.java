package io.github.linkguard.internal.session;

/**
 * The happy path's look at a statement's text: whether it may change the session (then {@link SessionState}
 * reads it in full after it ran). A glance, not a parse: the first keyword, and for the rest a search for a
 * user variable ({@code @}), a named-lock function ({@code ..._LOCK(}) or a second statement ({@code ;}).
 * It errs towards "may change": a false yes costs a parse, a false no would be a silent loss.
 */
public final class SessionSql {

    private SessionSql() {
    }

    /** Whether running {@code sql} may change session state that a fresh link would not have. */
    public static boolean touchesSession(String sql) {
        if (sql == null) {
            return false;
        }
        int start = firstKeyword(sql);
        if (start < 0) {
            return true; // an executable comment (/*! ... */) or an unterminated one: read it in full
        }
        if (start < sql.length() && keywordChangesSession(sql, start)) {
            return true;
        }
        return sql.indexOf('@') >= 0 || callsLockFunction(sql) || secondStatement(sql);
    }

    /**
     * Where the first keyword starts, past blanks and comments; {@code sql.length()} if there is none, -1 for
     * a MySQL executable comment ({@code /*!}, {@code /*M!}), whose content runs.
     */
    public static int firstKeyword(String sql) {
        return firstKeyword(sql, 0);
    }

    /** {@link #firstKeyword(String)} from {@code from} on. */
    public static int firstKeyword(String sql, int from) {
        int i = from;
        int length = sql.length();
        while (i < length) {
            char c = sql.charAt(i);
            if (c <= ' ') {
                i++;
            } else if (c == '/' && sql.startsWith("/*", i)) {
                if (sql.startsWith("/*!", i) || sql.startsWith("/*M!", i)) {
                    return -1;
                }
                int end = sql.indexOf("*/", i + 2);
                if (end < 0) {
                    return -1;
                }
                i = end + 2;
            } else if (c == '#' || (c == '-' && sql.startsWith("-- ", i))) {
                int end = sql.indexOf('\n', i);
                if (end < 0) {
                    return length;
                }
                i = end + 1;
            } else {
                return i;
            }
        }
        return length;
    }

    private static boolean keywordChangesSession(String sql, int at) {
        switch (sql.charAt(at) | 0x20) {
            case 's':
                return keyword(sql, at, "SET");
            case 'u':
                return keyword(sql, at, "USE") || keyword(sql, at, "UNLOCK");
            case 'l':
                return keyword(sql, at, "LOCK");
            case 'c':
                return keyword(sql, at, "CREATE") || keyword(sql, at, "CALL");
            case 'd':
                return keyword(sql, at, "DROP") || keyword(sql, at, "DEALLOCATE") || keyword(sql, at, "DO");
            case 'p':
                return keyword(sql, at, "PREPARE");
            case 'h':
                return keyword(sql, at, "HANDLER");
            case '{':
                return true; // JDBC escape syntax: {call p(?)}, {?= call f(?)}
            default:
                return false;
        }
    }

    /** Whether the text calls a function that is not one of the server's built-ins (reads the whole text). */
    public static boolean callsStoredRoutine(String sql) {
        return SqlFunctions.callsRoutine(SqlTokens.tokens(sql));
    }

    /** Whether {@code word} (upper-case ASCII letters) stands at {@code at}, as a whole word, in any case. */
    public static boolean keyword(String sql, int at, String word) {
        int end = at + word.length();
        if (at < 0 || end > sql.length()) {
            return false;
        }
        for (int i = 0; i < word.length(); i++) {
            if ((sql.charAt(at + i) & ~0x20) != word.charAt(i)) { // ASCII upper case: the words are letters only
                return false;
            }
        }
        return end == sql.length() || !Character.isLetterOrDigit(sql.charAt(end)) && sql.charAt(end) != '_';
    }

    /**
     * GET_LOCK, RELEASE_LOCK, RELEASE_ALL_LOCKS, IS_FREE_LOCK, IS_USED_LOCK: {@code _LOCK} or {@code _LOCKS}
     * and {@code (}. Found from the letter K, which generated SQL rarely has (it has many underscores).
     */
    private static boolean callsLockFunction(String sql) {
        return callsLockFunction(sql, 'K') || callsLockFunction(sql, 'k');
    }

    private static boolean callsLockFunction(String sql, char k) {
        for (int i = sql.indexOf(k, 4); i >= 0; i = sql.indexOf(k, i + 1)) {
            if (sql.charAt(i - 4) == '_' && sql.regionMatches(true, i - 3, "LOC", 0, 3)) {
                int j = i + 1;
                if (j < sql.length() && (sql.charAt(j) | 0x20) == 's') {
                    j++;
                }
                while (j < sql.length() && sql.charAt(j) <= ' ') {
                    j++;
                }
                if (j < sql.length() && sql.charAt(j) == '(') {
                    return true;
                }
            }
        }
        return false;
    }

    /** A {@code ;} followed by more than blanks: a multi-statement text (or a {@code ;} in a literal). */
    public static boolean secondStatement(String sql) {
        int semicolon = sql.indexOf(';');
        if (semicolon < 0) {
            return false;
        }
        for (int i = semicolon + 1; i < sql.length(); i++) {
            if (sql.charAt(i) > ' ') {
                return true;
            }
        }
        return false;
    }
}
