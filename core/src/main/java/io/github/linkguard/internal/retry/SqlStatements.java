package io.github.linkguard.internal.retry;

import java.util.Locale;

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

    /** Whether the statement only reads: SELECT (without locking clauses or INTO), SHOW, DESCRIBE, EXPLAIN. */
    public static boolean readOnly(String sql) {
        if (sql == null) {
            return false;
        }
        String text = sql.toLowerCase(Locale.ROOT);
        String keyword = firstKeyword(text);
        switch (keyword) {
            case "show":
            case "describe":
            case "desc":
            case "explain":
                return true;
            case "select":
            case "with":
            case "(":
                for (String clause : LOCKING_OR_WRITING) {
                    if (text.replace('\n', ' ').replace('\t', ' ').contains(clause)) {
                        return false;
                    }
                }
                return true;
            default:
                return false;
        }
    }

    private static String firstKeyword(String text) {
        int i = 0;
        int length = text.length();
        while (i < length) {
            char c = text.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (text.startsWith("/*", i)) {
                int end = text.indexOf("*/", i + 2);
                if (end < 0) {
                    return "";
                }
                i = end + 2;
            } else if (text.startsWith("--", i) || c == '#') {
                int end = text.indexOf('\n', i);
                if (end < 0) {
                    return "";
                }
                i = end + 1;
            } else if (c == '(') {
                return "(";
            } else {
                int end = i;
                while (end < length && Character.isLetter(text.charAt(end))) {
                    end++;
                }
                return text.substring(i, end);
            }
        }
        return "";
    }
}
