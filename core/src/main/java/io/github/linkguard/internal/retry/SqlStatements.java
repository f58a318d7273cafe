package io.github.linkguard.internal.retry;

import io.github.linkguard.internal.session.SessionSql;

/**
 * What the text of a statement says about retrying it: whether it only reads, and whether the application
 * declared it idempotent with the hint comment {@value #IDEMPOTENT_HINT}. Errs on the safe side: anything
 * it cannot read with confidence is a write.
 */
public final class SqlStatements {

    /** Put this in a comment of a statement that is safe to run twice, e.g. an upsert. */
    public static final String IDEMPOTENT_HINT = "linkguard:idempotent";

    private static final String[] LOCKING_OR_WRITING = {" for update", " for share", " lock in share mode", " into ",
        "insert ", "update ", "delete ", "replace "};

    private SqlStatements() {
    }

    /** Whether the statement declares itself idempotent: a comment containing {@value #IDEMPOTENT_HINT}. */
    public static boolean declaredIdempotent(String sql) {
        return sql != null && sql.contains(IDEMPOTENT_HINT) && (sql.contains("/*") || sql.contains("--"));
    }

    /**
     * Whether the statement only reads: SELECT (without locking clauses or INTO, and calling no stored
     * function, which may write), SHOW, DESCRIBE, EXPLAIN. Allocates nothing unless the text has a
     * parenthesis (then it reads the function calls).
     */
    public static boolean readOnly(String sql) {
        if (sql == null) {
            return false;
        }
        int at = SessionSql.firstKeyword(sql);
        if (at < 0 || at >= sql.length()) {
            return false;
        }
        if (SessionSql.keyword(sql, at, "SHOW") || SessionSql.keyword(sql, at, "DESCRIBE")
                || SessionSql.keyword(sql, at, "DESC") || SessionSql.keyword(sql, at, "EXPLAIN")) {
            return true;
        }
        if (!(sql.charAt(at) == '(' || SessionSql.keyword(sql, at, "SELECT") || SessionSql.keyword(sql, at, "WITH"))) {
            return false;
        }
        for (String clause : LOCKING_OR_WRITING) {
            if (contains(sql, clause)) {
                return false;
            }
        }
        return !callsStoredFunction(sql);
    }

    /**
     * Whether the statement changes rows and nothing else: one {@code INSERT}, {@code UPDATE}, {@code DELETE} or
     * {@code REPLACE} (what runs as a transaction of its own when auto-commit writes are resolved).
     */
    public static boolean changesData(String sql) {
        if (sql == null || SessionSql.secondStatement(sql)) {
            return false;
        }
        int at = SessionSql.firstKeyword(sql);
        return at >= 0 && at < sql.length() && (SessionSql.keyword(sql, at, "INSERT")
                || SessionSql.keyword(sql, at, "UPDATE") || SessionSql.keyword(sql, at, "DELETE")
                || SessionSql.keyword(sql, at, "REPLACE"));
    }

    /**
     * Whether the statement may call a stored function (a name followed by a parenthesis that is not one of
     * the server's built-ins): a function may write, also to tables that no transaction rolls back.
     */
    public static boolean callsStoredFunction(String sql) {
        return sql != null && sql.indexOf('(') >= 0 && SessionSql.callsStoredRoutine(sql);
    }

    /** Whether {@code text} contains {@code clause} (lower case), ignoring case, a space matching any blank. */
    private static boolean contains(String text, String clause) {
        int last = text.length() - clause.length();
        for (int i = 0; i <= last; i++) {
            int j = 0;
            while (j < clause.length() && matches(text.charAt(i + j), clause.charAt(j))) {
                j++;
            }
            if (j == clause.length()) {
                return true;
            }
        }
        return false;
    }

    private static boolean matches(char c, char expected) {
        return expected == ' ' ? c == ' ' || c == '\n' || c == '\t' : Character.toLowerCase(c) == expected;
    }
}
