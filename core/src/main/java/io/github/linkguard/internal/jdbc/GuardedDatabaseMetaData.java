package io.github.linkguard.internal.jdbc;

import io.github.linkguard.Phase;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Wrapper;

/**
 * The application's database metadata: its result sets are guarded and it leads back to our connection.
 * The methods that only delegate are generated at build time ({@code GeneratedDatabaseMetaData}, from
 * {@code core/src/build/GenerateDelegates.java}); a failure of any goes through {@link #failed}.
 */
abstract class GuardedDatabaseMetaData extends DelegatingWrapper implements DatabaseMetaData {

    final GuardedConnection connection;
    final DatabaseMetaData delegate;

    GuardedDatabaseMetaData(GuardedConnection connection, DatabaseMetaData delegate) {
        this.connection = connection;
        this.delegate = delegate;
    }

    /** The application's metadata over {@code delegate}. */
    static DatabaseMetaData of(GuardedConnection connection, DatabaseMetaData delegate) {
        return new GeneratedDatabaseMetaData(connection, delegate);
    }

    /** A result set of the metadata, guarded like the application's own. */
    final ResultSet results(ResultSet results) {
        return results == null ? null : GuardedResultSet.of(connection, null, results, false, null);
    }

    /** A failure of a metadata call: diagnosed, and the link let go if it was lost. */
    final SQLException failed(SQLException failure) {
        return connection.link.failed(failure, Phase.EXECUTE);
    }

    @Override
    Wrapper delegate() {
        return delegate;
    }

    @Override
    public Connection getConnection() throws SQLException {
        try {
            delegate.getConnection();
            return connection;
        } catch (SQLException e) {
            throw failed(e);
        }
    }
}
