package io.github.linkguard.internal.jdbc;

import java.math.BigDecimal;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Time;
import java.sql.Timestamp;

/**
 * How a parameter was bound, to bind it again on a re-created statement. The common setters are kept as
 * this kind plus a number (primitives, SQL types) or an object (the value): binding allocates nothing.
 * Rarer setters keep a {@link GuardedPreparedStatement.Binding} as {@link #OTHER}.
 */
enum Parameter {
    NULL,
    BOOLEAN,
    BYTE,
    SHORT,
    INT,
    LONG,
    FLOAT,
    DOUBLE,
    BIG_DECIMAL,
    STRING,
    NSTRING,
    BYTES,
    DATE,
    TIME,
    TIMESTAMP,
    OBJECT,
    /** {@code setObject(index, value, targetSqlType)}: the number is the type. */
    OBJECT_AS,
    /** Any other setter: the object is the {@link GuardedPreparedStatement.Binding} that repeats it. */
    OTHER;

    /** Binds parameter {@code index} (1-based) of {@code statement} again. */
    void bind(PreparedStatement statement, int index, long number, Object object) throws SQLException {
        switch (this) {
            case NULL -> statement.setNull(index, (int) number);
            case BOOLEAN -> statement.setBoolean(index, number != 0);
            case BYTE -> statement.setByte(index, (byte) number);
            case SHORT -> statement.setShort(index, (short) number);
            case INT -> statement.setInt(index, (int) number);
            case LONG -> statement.setLong(index, number);
            case FLOAT -> statement.setFloat(index, Float.intBitsToFloat((int) number));
            case DOUBLE -> statement.setDouble(index, Double.longBitsToDouble(number));
            case BIG_DECIMAL -> statement.setBigDecimal(index, (BigDecimal) object);
            case STRING -> statement.setString(index, (String) object);
            case NSTRING -> statement.setNString(index, (String) object);
            case BYTES -> statement.setBytes(index, (byte[]) object);
            case DATE -> statement.setDate(index, (Date) object);
            case TIME -> statement.setTime(index, (Time) object);
            case TIMESTAMP -> statement.setTimestamp(index, (Timestamp) object);
            case OBJECT -> statement.setObject(index, object);
            case OBJECT_AS -> statement.setObject(index, object, (int) number);
            case OTHER -> ((GuardedPreparedStatement.Binding) object).apply(statement);
        }
    }
}
