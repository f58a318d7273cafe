package io.github.linkguard.internal.jdbc;

import java.sql.SQLException;
import java.sql.Wrapper;

/** The {@code unwrap}/{@code isWrapperFor} of every LinkGuard JDBC wrapper, through {@link Unwrapping}. */
abstract class DelegatingWrapper implements Wrapper {

    /** The JDBC object this one wraps. */
    abstract Wrapper delegate();

    @Override
    public final <T> T unwrap(Class<T> iface) throws SQLException {
        return Unwrapping.unwrap(this, delegate(), iface);
    }

    @Override
    public final boolean isWrapperFor(Class<?> iface) throws SQLException {
        return Unwrapping.isWrapperFor(this, delegate(), iface);
    }
}
