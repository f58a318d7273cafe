package io.github.linkguard.benchmarks.stub;

import java.sql.SQLException;
import java.sql.Wrapper;

/** {@link Wrapper} for the stubs: each unwraps to itself only. */
abstract class StubWrapper implements Wrapper {

    @Override
    public final <T> T unwrap(Class<T> type) throws SQLException {
        if (type.isInstance(this)) {
            return type.cast(this);
        }
        throw new SQLException("Not a wrapper of " + type.getName());
    }

    @Override
    public final boolean isWrapperFor(Class<?> type) {
        return type.isInstance(this);
    }
}
