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
    NULL {
        @Override
        void bind(PreparedStatement statement, int index, long number, Object object) throws SQLException {
            statement.setNull(index, (int) number);
        }
    },
    BOOLEAN {
        @Override
        void bind(PreparedStatement statement, int index, long number, Object object) throws SQLException {
            statement.setBoolean(index, number != 0);
        }
    },
    BYTE {
        @Override
        void bind(PreparedStatement statement, int index, long number, Object object) throws SQLException {
            statement.setByte(index, (byte) number);
        }
    },
    SHORT {
        @Override
        void bind(PreparedStatement statement, int index, long number, Object object) throws SQLException {
            statement.setShort(index, (short) number);
        }
    },
    INT {
        @Override
        void bind(PreparedStatement statement, int index, long number, Object object) throws SQLException {
            statement.setInt(index, (int) number);
        }
    },
    LONG {
        @Override
        void bind(PreparedStatement statement, int index, long number, Object object) throws SQLException {
            statement.setLong(index, number);
        }
    },
    FLOAT {
        @Override
        void bind(PreparedStatement statement, int index, long number, Object object) throws SQLException {
            statement.setFloat(index, Float.intBitsToFloat((int) number));
        }
    },
    DOUBLE {
        @Override
        void bind(PreparedStatement statement, int index, long number, Object object) throws SQLException {
            statement.setDouble(index, Double.longBitsToDouble(number));
        }
    },
    BIG_DECIMAL {
        @Override
        void bind(PreparedStatement statement, int index, long number, Object object) throws SQLException {
            statement.setBigDecimal(index, (BigDecimal) object);
        }
    },
    STRING {
        @Override
        void bind(PreparedStatement statement, int index, long number, Object object) throws SQLException {
            statement.setString(index, (String) object);
        }
    },
    NSTRING {
        @Override
        void bind(PreparedStatement statement, int index, long number, Object object) throws SQLException {
            statement.setNString(index, (String) object);
        }
    },
    BYTES {
        @Override
        void bind(PreparedStatement statement, int index, long number, Object object) throws SQLException {
            statement.setBytes(index, (byte[]) object);
        }
    },
    DATE {
        @Override
        void bind(PreparedStatement statement, int index, long number, Object object) throws SQLException {
            statement.setDate(index, (Date) object);
        }
    },
    TIME {
        @Override
        void bind(PreparedStatement statement, int index, long number, Object object) throws SQLException {
            statement.setTime(index, (Time) object);
        }
    },
    TIMESTAMP {
        @Override
        void bind(PreparedStatement statement, int index, long number, Object object) throws SQLException {
            statement.setTimestamp(index, (Timestamp) object);
        }
    },
    OBJECT {
        @Override
        void bind(PreparedStatement statement, int index, long number, Object object) throws SQLException {
            statement.setObject(index, object);
        }
    },
    /** {@code setObject(index, value, targetSqlType)}: the number is the type. */
    OBJECT_AS {
        @Override
        void bind(PreparedStatement statement, int index, long number, Object object) throws SQLException {
            statement.setObject(index, object, (int) number);
        }
    },
    /** Any other setter: the object is the {@link GuardedPreparedStatement.Binding} that repeats it. */
    OTHER {
        @Override
        void bind(PreparedStatement statement, int index, long number, Object object) throws SQLException {
            ((GuardedPreparedStatement.Binding) object).apply(statement);
        }
    };

    /** Binds parameter {@code index} (1-based) of {@code statement} again. */
    abstract void bind(PreparedStatement statement, int index, long number, Object object) throws SQLException;
}
