package io.github.linkguard.internal.session;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;

/**
 * Reads a variable's current value from the server as a SQL literal that sets the very same value again:
 * numbers as they are (a double with an exponent, so it stays a double), strings as hex with their character
 * set and collation, NULL as NULL.
 */
final class SqlLiterals {

    private SqlLiterals() {
    }

    /** The literal of {@code variable} ({@code @x} or {@code @@SESSION.x}) as the session on {@code physical} has it now. */
    static String read(Connection physical, String variable) throws SQLException {
        try (Statement statement = physical.createStatement();
                ResultSet value = statement.executeQuery("SELECT " + variable + ", HEX(" + variable + "), CHARSET("
                        + variable + "), COLLATION(" + variable + ")")) {
            value.next();
            String text = value.getString(1);
            if (text == null) {
                return "NULL";
            }
            switch (value.getMetaData().getColumnType(1)) {
                case Types.TINYINT:
                case Types.SMALLINT:
                case Types.INTEGER:
                case Types.BIGINT:
                case Types.DECIMAL:
                case Types.NUMERIC:
                    return text;
                case Types.REAL:
                case Types.FLOAT:
                case Types.DOUBLE:
                    return text.indexOf('e') >= 0 || text.indexOf('E') >= 0 ? text : text + "E0";
                default:
                    String charset = value.getString(3);
                    String hex = "X'" + value.getString(2) + "'";
                    return "binary".equalsIgnoreCase(charset) ? hex
                            : "_" + charset + " " + hex + " COLLATE " + value.getString(4);
            }
        }
    }
}
