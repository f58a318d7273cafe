package io.github.linkguard.benchmarks.jmh;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

import org.openjdk.jmh.annotations.Benchmark;

/**
 * What every request pays: each operation borrows a connection, does its work and returns it, so that the
 * contended runs (more threads than slots) measure the pool's hand-off too. Mode, threads, forks and
 * iterations are set by {@link HappyPathRun}.
 */
public class HappyPathBenchmark {

    static final String QUERY = "SELECT id, name FROM item WHERE id = ? AND owner = ? AND version >= ?";
    static final String UPDATE = "UPDATE item SET name = ? WHERE id = ? AND version = ?";

    /** Borrow and return. */
    @Benchmark
    public Connection borrowReturn(StubPool side) throws SQLException {
        Connection connection = side.dataSource.getConnection();
        connection.close();
        return connection;
    }

    /** Borrow; prepare, bind 3 parameters, execute the query, read every row, close; return. */
    @Benchmark
    public long statementCycle(StubPool.Rows side) throws SQLException {
        try (Connection connection = side.dataSource.getConnection()) {
            return query(connection, 42L);
        }
    }

    /** Prepare, bind 3 parameters, execute {@link #QUERY}, read every row (two columns), close. */
    private static long query(Connection connection, long id) throws SQLException {
        long sum = 0;
        try (PreparedStatement statement = connection.prepareStatement(QUERY)) {
            statement.setLong(1, id);
            statement.setString(2, "linkguard");
            statement.setInt(3, 7);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    sum += rows.getLong(1) + rows.getString(2).length();
                }
            }
        }
        return sum;
    }

    /**
     * A read-write transaction as Spring runs it: borrow, auto-commit off, two updates (prepare, bind 3
     * parameters, executeUpdate, close), commit, auto-commit on, return. LinkGuard keeps each update for the
     * transaction's replay when replay is on.
     */
    @Benchmark
    public int transaction(StubPool.Transactions side) throws SQLException {
        int updated = 0;
        try (Connection connection = side.dataSource.getConnection()) {
            connection.setAutoCommit(false);
            for (int id = 41; id <= 42; id++) {
                try (PreparedStatement statement = connection.prepareStatement(UPDATE)) {
                    statement.setString(1, "renamed");
                    statement.setLong(2, id);
                    statement.setInt(3, 7);
                    updated += statement.executeUpdate();
                }
            }
            connection.commit();
            connection.setAutoCommit(true);
        }
        return updated;
    }

    /**
     * A read-only transaction as Spring runs it: borrow, auto-commit off, read-only on, three queries (prepare,
     * bind 3 parameters, execute, read two columns of the row, close), commit, both settings back, return.
     * With replay on, LinkGuard keeps each query and a digest of every value read.
     */
    @Benchmark
    public long readOnlyTransaction(StubPool.Transactions side) throws SQLException {
        long sum = 0;
        try (Connection connection = side.dataSource.getConnection()) {
            connection.setAutoCommit(false);
            connection.setReadOnly(true);
            for (long id = 41; id <= 43; id++) {
                sum += query(connection, id);
            }
            connection.commit();
            connection.setReadOnly(false);
            connection.setAutoCommit(true);
        }
        return sum;
    }

    /** Borrow; prepare, bind 3 parameters, executeUpdate, close; return. */
    @Benchmark
    public int executeUpdate(StubPool side) throws SQLException {
        try (Connection connection = side.dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(UPDATE)) {
            statement.setString(1, "renamed");
            statement.setLong(2, 42L);
            statement.setInt(3, 7);
            return statement.executeUpdate();
        }
    }
}
