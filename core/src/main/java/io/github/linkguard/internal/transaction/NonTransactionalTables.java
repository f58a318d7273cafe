package io.github.linkguard.internal.transaction;

import io.github.linkguard.internal.retry.SqlStatements;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Asks the server whether a lost write may have reached a table that no transaction rolls back: a base table
 * of an engine without transactions (MyISAM, Aria, MEMORY, CSV, ...) in a schema of the applications' (not
 * {@code mysql}, {@code sys} or the information schemas). A statement whose answer was lost has no report of
 * what it wrote; run again on a fresh link, it would write such a table a second time. It may have if the
 * server has such a table and the statement names it, names a table with a trigger or a view (which may lead
 * to it), or calls a stored function. Asked only on the way to running a lost write again, never on the
 * happy path.
 */
public final class NonTransactionalTables {

    private static final String SCHEMAS = "NOT IN ('mysql', 'sys', 'information_schema', 'performance_schema')";
    private static final String NON_TRANSACTIONAL = "SELECT t.TABLE_NAME, CONCAT(t.TABLE_SCHEMA, '.', t.TABLE_NAME, "
            + "' (', t.ENGINE, ')') FROM information_schema.TABLES t JOIN information_schema.ENGINES e "
            + "ON e.ENGINE = t.ENGINE WHERE e.TRANSACTIONS <> 'YES' AND t.TABLE_TYPE = 'BASE TABLE' "
            + "AND t.TABLE_SCHEMA " + SCHEMAS;
    private static final String LEADING_THERE = "SELECT EVENT_OBJECT_TABLE, CONCAT('a trigger on ', EVENT_OBJECT_TABLE) "
            + "FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA " + SCHEMAS
            + " UNION ALL SELECT TABLE_NAME, CONCAT('the view ', TABLE_NAME) FROM information_schema.VIEWS "
            + "WHERE TABLE_SCHEMA " + SCHEMAS;

    private NonTransactionalTables() {
    }

    /** One of the server's non-transactional tables, said for a message; null if it has none. */
    public static String any(Connection physical) throws SQLException {
        List<String[]> tables = names(physical, NON_TRANSACTIONAL);
        return tables.isEmpty() ? null : first(tables);
    }

    /**
     * What makes {@code sql}, lost after it was sent, possibly a write to a non-transactional table, said for a
     * message; null if it cannot have written one.
     */
    public static String reachedBy(Connection physical, String sql) throws SQLException {
        List<String[]> tables = names(physical, NON_TRANSACTIONAL);
        if (tables.isEmpty()) {
            return null; // nothing on the server that a rollback would not undo
        }
        String named = named(sql, tables);
        if (named == null) {
            named = named(sql, names(physical, LEADING_THERE));
        }
        if (named == null && SqlStatements.callsStoredFunction(sql)) {
            named = "a stored function";
        }
        if (named == null) {
            return null;
        }
        return "it names " + named + ", and this server has non-transactional tables (" + first(tables) + ")";
    }

    private static List<String[]> names(Connection physical, String query) throws SQLException {
        List<String[]> names = new ArrayList<>();
        try (Statement statement = physical.createStatement(); ResultSet rows = statement.executeQuery(query)) {
            while (rows.next()) {
                names.add(new String[] {rows.getString(1), rows.getString(2)});
            }
        }
        return names;
    }

    /** The description of the first of {@code names} that {@code sql} contains as a word, or null. */
    private static String named(String sql, List<String[]> names) {
        String text = sql.toLowerCase(Locale.ROOT);
        for (String[] name : names) {
            String lower = name[0].toLowerCase(Locale.ROOT);
            for (int at = text.indexOf(lower); at >= 0; at = text.indexOf(lower, at + 1)) {
                int end = at + lower.length();
                if ((at == 0 || !isNameChar(text.charAt(at - 1))) && (end == text.length() || !isNameChar(text.charAt(end)))) {
                    return name[1];
                }
            }
        }
        return null;
    }

    private static boolean isNameChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '$';
    }

    private static String first(List<String[]> tables) {
        StringBuilder said = new StringBuilder();
        for (int i = 0; i < Math.min(3, tables.size()); i++) {
            said.append(i == 0 ? "" : ", ").append(tables.get(i)[1]);
        }
        return tables.size() > 3 ? said + ", ..." : said.toString();
    }
}
