package io.github.linkguard.internal.jdbc;

import java.sql.SQLException;
import java.sql.Wrapper;

/** {@code unwrap}/{@code isWrapperFor} of every LinkGuard wrapper: itself, else the delegate and what it wraps. */
public final class Unwrapping {

    private Unwrapping() {
    }

    /** JDBC's unwrap: {@code self} if it implements {@code iface}, else the delegate, else what it wraps. */
    public static <T> T unwrap(Wrapper self, Wrapper delegate, Class<T> iface) throws SQLException {
        if (iface.isInstance(self)) {
            return iface.cast(self);
        }
        if (iface.isInstance(delegate)) {
            return iface.cast(delegate);
        }
        if (delegate == null) { // a statement made while a lost transaction waited for its end
            throw new SQLException("Not a wrapper of " + iface.getName() + " (not linked to the database yet)");
        }
        return delegate.unwrap(iface);
    }

    /** JDBC's isWrapperFor, matching {@link #unwrap}. */
    public static boolean isWrapperFor(Wrapper self, Wrapper delegate, Class<?> iface) throws SQLException {
        return iface.isInstance(self) || iface.isInstance(delegate) || delegate != null && delegate.isWrapperFor(iface);
    }
}
