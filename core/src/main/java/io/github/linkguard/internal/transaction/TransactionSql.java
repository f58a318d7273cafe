package io.github.linkguard.internal.transaction;

import io.github.linkguard.internal.session.SessionSql;
import java.util.Arrays;
import java.util.Locale;

/**
 * What the text of a statement says about the transaction it runs in: whether it begins one, ends one, may
 * commit implicitly (the manuals' lists), or may do anything to it (a stored procedure, XA, several statements
 * in one text, a syntax LinkGuard does not know). The server's transaction reports say more where they are
 * on; this is what LinkGuard believes where they are not, and for the statement whose answer was lost. It errs
 * away from a replay: a statement it cannot place is {@link Kind#UNKNOWN}. Allocates nothing.
 */
public final class TransactionSql {

    /** What a statement may do to the transaction around it. */
    public enum Kind {
        /** Reads or writes inside the transaction: SELECT, INSERT, UPDATE, DELETE, SAVEPOINT, SET, ... */
        PLAIN,
        /** {@code BEGIN}, {@code START TRANSACTION}: ends the open transaction (an implicit commit), begins one. */
        BEGINS,
        /** SQL {@code COMMIT}. */
        COMMITS,
        /** SQL {@code ROLLBACK} (not to a savepoint). */
        ROLLS_BACK,
        /** {@code COMMIT AND CHAIN}, {@code ROLLBACK AND CHAIN}: ends the transaction and begins the next. */
        CHAINS,
        /** DDL and the other statements that commit implicitly; none of them begins a transaction. */
        MAY_COMMIT,
        /** May begin, end or commit anything: CALL, XA, several statements, executable comments, the unknown. */
        UNKNOWN
    }

    private TransactionSql() {
    }

    /**
     * First keywords of statements that read or write inside the transaction and never end it (none of them
     * is one of the keywords whose next word decides, below).
     */
    private static final String[][] PLAIN = byFirstLetter("SELECT", "INSERT", "UPDATE", "DELETE", "REPLACE", "WITH", "VALUES",
        "TABLE", "SHOW", "DESCRIBE", "DESC", "EXPLAIN", "SAVEPOINT", "RELEASE", "DO", "USE", "HANDLER", "PREPARE",
        "DEALLOCATE");

    /**
     * First keywords of the statements the manuals list as causing an implicit commit (MariaDB's "SQL
     * statements that cause an implicit commit", MySQL's 15.3.3), other than CREATE, DROP, SET and LOAD (their
     * second word decides).
     */
    private static final String[][] IMPLICIT_COMMIT = byFirstLetter("ALTER", "RENAME", "TRUNCATE", "GRANT", "REVOKE", "LOCK",
        "UNLOCK", "FLUSH", "ANALYZE", "OPTIMIZE", "REPAIR", "CHECK", "CACHE", "INSTALL", "UNINSTALL", "RESET",
        "PURGE", "CHANGE", "STOP", "KILL");

    /** What {@code sql} may do to the transaction; null text (a batch of plain statements) is {@link Kind#UNKNOWN}. */
    public static Kind kind(String sql) {
        if (sql == null) {
            return Kind.UNKNOWN;
        }
        int at = SessionSql.firstKeyword(sql);
        if (at < 0 || SessionSql.secondStatement(sql)) {
            return Kind.UNKNOWN;
        }
        if (at >= sql.length() || sql.charAt(at) == '(' || startsWithAny(sql, at, PLAIN)) {
            return Kind.PLAIN; // the common case first: a read or write; or only comments, a parenthesised query
        }
        int next = nextWord(sql, at);
        if (is(sql, at, "START")) {
            return is(sql, next, "TRANSACTION") ? Kind.BEGINS : Kind.UNKNOWN; // START SLAVE, ...
        }
        if (is(sql, at, "BEGIN")) { // BEGIN NOT ATOMIC ... is a compound statement
            return next < 0 || is(sql, next, "WORK") && nextWord(sql, next) < 0 ? Kind.BEGINS : Kind.UNKNOWN;
        }
        if (is(sql, at, "COMMIT")) {
            return ending(sql, next, Kind.COMMITS);
        }
        if (is(sql, at, "ROLLBACK")) {
            int to = is(sql, next, "WORK") ? nextWord(sql, next) : next;
            return is(sql, to, "TO") ? Kind.PLAIN : ending(sql, next, Kind.ROLLS_BACK); // ROLLBACK TO savepoint
        }
        if (is(sql, at, "SET")) { // SET autocommit = 1 and SET PASSWORD commit; SET TRANSACTION, variables do not
            return mentions(sql, "AUTOCOMMIT") || is(sql, next, "PASSWORD") ? Kind.MAY_COMMIT : Kind.PLAIN;
        }
        if (is(sql, at, "CREATE") || is(sql, at, "DROP")) { // temporary tables commit nothing
            return temporary(sql, next) ? Kind.PLAIN : Kind.MAY_COMMIT;
        }
        if (is(sql, at, "LOAD")) { // LOAD DATA is a write; LOAD INDEX INTO CACHE commits
            return is(sql, next, "DATA") || is(sql, next, "XML") ? Kind.PLAIN : Kind.MAY_COMMIT;
        }
        return startsWithAny(sql, at, IMPLICIT_COMMIT) ? Kind.MAY_COMMIT : Kind.UNKNOWN; // CALL, XA, {call}, ...
    }

    /** Keywords by their first letter, so that a statement is compared only with those that can match. */
    private static String[][] byFirstLetter(String... keywords) {
        String[][] index = new String[26][0];
        for (String keyword : keywords) {
            int letter = keyword.charAt(0) - 'A';
            index[letter] = Arrays.copyOf(index[letter], index[letter].length + 1);
            index[letter][index[letter].length - 1] = keyword;
        }
        return index;
    }

    private static boolean startsWithAny(String sql, int at, String[][] keywords) {
        int letter = (sql.charAt(at) | 0x20) - 'a';
        if (letter < 0 || letter >= keywords.length) {
            return false;
        }
        for (String keyword : keywords[letter]) {
            if (SessionSql.keyword(sql, at, keyword)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether a statement of this kind, run again alone on a fresh link where nothing is open, does nothing
     * the lost one could have done twice: it only begins or ends a (then empty) transaction.
     */
    public static boolean harmlessAlone(Kind kind) {
        return kind == Kind.BEGINS || kind == Kind.COMMITS || kind == Kind.ROLLS_BACK || kind == Kind.CHAINS;
    }

    /** {@code TEMPORARY} at {@code at}, or {@code OR REPLACE TEMPORARY}: temporary tables commit nothing. */
    private static boolean temporary(String sql, int at) {
        if (is(sql, at, "OR")) {
            at = nextWord(sql, nextWord(sql, at));
        }
        return is(sql, at, "TEMPORARY");
    }

    /**
     * A COMMIT or ROLLBACK, its words from {@code at} on: {@code [WORK] [AND [NO] CHAIN] [[NO] RELEASE]}.
     * {@link Kind#CHAINS} for {@code AND CHAIN}; anything else it does not know is {@link Kind#UNKNOWN}.
     */
    private static Kind ending(String sql, int at, Kind plain) {
        if (is(sql, at, "WORK")) {
            at = nextWord(sql, at);
        }
        Kind kind = plain;
        if (is(sql, at, "AND")) {
            at = nextWord(sql, at);
            if (is(sql, at, "NO")) {
                at = nextWord(sql, at);
            } else {
                kind = Kind.CHAINS;
            }
            if (!is(sql, at, "CHAIN")) {
                return Kind.UNKNOWN;
            }
            at = nextWord(sql, at);
        }
        if (is(sql, at, "NO")) {
            at = nextWord(sql, at);
        }
        if (is(sql, at, "RELEASE")) {
            at = nextWord(sql, at);
        }
        return at < 0 ? kind : Kind.UNKNOWN;
    }

    /** The statement's first two words, upper case, for messages (the second may be a name: {@code CALL P}). */
    public static String firstWords(String sql) {
        if (sql == null) {
            return "a batch";
        }
        int at = SessionSql.firstKeyword(sql);
        if (at < 0 || at >= sql.length()) {
            return "a statement";
        }
        int end = endOfWord(sql, at);
        int next = nextWord(sql, at);
        if (next >= 0 && Character.isLetter(sql.charAt(next))) {
            return sql.substring(at, end).toUpperCase(Locale.ROOT) + " "
                    + sql.substring(next, endOfWord(sql, next)).toUpperCase(Locale.ROOT);
        }
        return sql.substring(at, Math.max(end, at + 1)).toUpperCase(Locale.ROOT);
    }

    private static int endOfWord(String sql, int at) {
        int i = at;
        while (i < sql.length() && isWordChar(sql.charAt(i))) {
            i++;
        }
        return i;
    }

    /** Whether {@code word} (upper case) stands at {@code at} ({@code -1}: the text ended). */
    private static boolean is(String sql, int at, String word) {
        return at >= 0 && SessionSql.keyword(sql, at, word);
    }

    /** Where the word after the one at {@code at} starts, past blanks and comments; -1 if none follows. */
    private static int nextWord(String sql, int at) {
        if (at < 0) {
            return -1;
        }
        int next = SessionSql.firstKeyword(sql, endOfWord(sql, at));
        return next < 0 || next >= sql.length() || sql.charAt(next) == ';' ? -1 : next;
    }

    /** Whether {@code word} (upper case) stands anywhere in {@code sql} as a whole word. */
    private static boolean mentions(String sql, String word) {
        for (int i = 0; i + word.length() <= sql.length(); i++) {
            if ((i == 0 || !isWordChar(sql.charAt(i - 1))) && SessionSql.keyword(sql, i, word)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isWordChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_';
    }
}
