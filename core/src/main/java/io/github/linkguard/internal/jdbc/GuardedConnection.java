package io.github.linkguard.internal.jdbc;

import io.github.linkguard.Phase;
import io.github.linkguard.internal.CoarseClock;
import io.github.linkguard.internal.LinkSource;
import io.github.linkguard.internal.recovery.Link;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.sql.Wrapper;
import java.util.concurrent.Executor;

/**
 * The application's connection: every call runs on its {@link Link} (the recovery room: the physical
 * connection now, and what happens when it is lost), which it asks before each call and tells every failure.
 * This class keeps the calls that do more than delegate: the open statements (re-created on a fresh link),
 * the session's settings and the transaction's boundaries; the pure delegates are generated at build time
 * ({@code GeneratedConnection}, from {@code core/src/build/GenerateDelegates.java}). Not thread-safe, like the
 * connection it wraps.
 */
public abstract class GuardedConnection extends DelegatingWrapper implements Connection, Link.Statements {

    final Link link;
    /** The open statements, newest first, linked through the statements themselves (nothing to allocate). */
    private GuardedStatement openStatements;

    /**
     * @param source where fresh links come from after a lost one
     * @param physical the pool's connection
     * @param acquiredNanos {@link CoarseClock#nanos()} when the application asked for the connection
     */
    GuardedConnection(LinkSource source, Connection physical, long acquiredNanos) throws SQLException {
        this.link = new Link(source, physical, acquiredNanos, this);
    }

    /** The application's connection over {@code physical}, a connection from the pool. */
    public static GuardedConnection of(LinkSource source, Connection physical, long acquiredNanos) throws SQLException {
        return new GeneratedConnection(source, physical, acquiredNanos);
    }

    final SQLException failed(SQLException failure) {
        return link.failed(failure, Phase.EXECUTE);
    }

    @Override
    Wrapper delegate() {
        return link.physical();
    }

    <T extends GuardedStatement> T register(T statement) {
        statement.nextOpen = openStatements;
        if (openStatements != null) {
            openStatements.previousOpen = statement;
        }
        openStatements = statement;
        return statement;
    }

    /** Forgets a closed statement; closing it again does nothing. */
    void unregister(GuardedStatement statement) {
        if (statement.previousOpen != null) {
            statement.previousOpen.nextOpen = statement.nextOpen;
        } else if (openStatements == statement) {
            openStatements = statement.nextOpen;
        } else {
            return;
        }
        if (statement.nextOpen != null) {
            statement.nextOpen.previousOpen = statement.previousOpen;
        }
        statement.previousOpen = null;
        statement.nextOpen = null;
    }

    /** Re-creates the open statements on a fresh link. */
    @Override
    public final void reopenAll(Connection fresh) throws SQLException {
        for (GuardedStatement statement = openStatements; statement != null; statement = statement.nextOpen) {
            statement.reopen(fresh);
        }
    }

    @Override
    public Statement createStatement() throws SQLException {
        if (link.transactionLost()) {
            // no link until the application ends the lost transaction: the statement gets one if it runs ROLLBACK
            return register(GuardedStatement.of(this, null, null, (physical, text) -> physical.createStatement()));
        }
        link.ensureLink();
        try {
            return register(GuardedStatement.of(this, link.physical().createStatement(), null,
                    (physical, text) -> physical.createStatement()));
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    @Override
    public void setAutoCommit(boolean autoCommit) throws SQLException {
        setOrDefer(Connection::setAutoCommit, autoCommit, autoCommit);
        link.autoCommitSet(autoCommit);
    }

    @Override
    public boolean getAutoCommit() throws SQLException {
        if (!link.open()) {
            return link.transaction().autoCommit(); // known without a link, also while a lost transaction waits
        }
        try {
            return link.physical().getAutoCommit();
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    @Override
    public void commit() throws SQLException {
        link.commit();
    }

    @Override
    public void rollback() throws SQLException {
        link.rollback();
    }

    @Override
    public void close() throws SQLException {
        link.close();
    }

    @Override
    public boolean isClosed() throws SQLException {
        if (link.closed() || !link.open()) {
            return link.closed();
        }
        try {
            return link.physical().isClosed();
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    @Override
    public boolean isValid(int timeout) throws SQLException {
        if (!link.relinked()) {
            return false;
        }
        try {
            return link.physical().isValid(timeout);
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    @Override
    public void abort(Executor executor) throws SQLException {
        try {
            link.physical().abort(executor);
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    @Override
    public DatabaseMetaData getMetaData() throws SQLException {
        link.ensureLink();
        try {
            return GuardedDatabaseMetaData.of(this, link.physical().getMetaData());
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    // ---- the session's settings: made again on a fresh link, where the session is restored first

    @Override
    public void setReadOnly(boolean readOnly) throws SQLException {
        setOrDefer(Connection::setReadOnly, readOnly, false);
        link.session().readOnly(readOnly);
    }

    @Override
    public void setCatalog(String catalog) throws SQLException {
        set(Connection::setCatalog, catalog, false);
        link.session().catalog(catalog);
    }

    @Override
    public void setSchema(String schema) throws SQLException {
        set(Connection::setSchema, schema, false);
        link.session().schema(schema);
    }

    @Override
    public void setTransactionIsolation(int level) throws SQLException {
        setOrDefer(Connection::setTransactionIsolation, level, false);
        link.session().isolation(level);
        if (link.transaction().atStake()) {
            link.transaction().characteristicsOfItsOwn(); // for the transactions after this one, not this one
        }
    }

    /** A setting of the session or the next transaction, as {@code physical.setX(value)}. */
    @FunctionalInterface
    private interface Setting<V> {
        void apply(Connection physical, V value) throws SQLException;
    }

    /**
     * As {@link #set}, but while the link is lost with nothing of a transaction waiting, a setting the server
     * cannot refuse (auto-commit, read-only, isolation) waits for the fresh link, made when a call needs one: the
     * session is restored there, this setting with it. Frameworks reset these as they let a connection go
     * (Spring after a failed transaction), which then costs no fresh link and no wait for the pool.
     */
    private <V> void setOrDefer(Setting<V> setting, V value, boolean ends) throws SQLException {
        if (!link.awaitsFreshLink()) {
            set(setting, value, ends);
        }
    }

    /**
     * Makes a setting on the link; lost with its link while nothing is at stake, it is made again on a fresh
     * link, where the session is restored first ({@link Link#settle}).
     *
     * @param ends whether the setting ends the open transaction (setAutoCommit(true))
     */
    private <V> void set(Setting<V> setting, V value, boolean ends) throws SQLException {
        link.ensureLink();
        try {
            setting.apply(link.physical(), value);
        } catch (SQLException e) {
            link.settle(e, ends, () -> {
                setting.apply(link.physical(), value);
                return null;
            });
        }
    }

    @Override
    public void setHoldability(int holdability) throws SQLException {
        link.ensureLink();
        try {
            link.physical().setHoldability(holdability);
            link.session().holdability(holdability);
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    @Override
    public void setNetworkTimeout(Executor executor, int milliseconds) throws SQLException {
        link.ensureLink();
        try {
            link.physical().setNetworkTimeout(executor, milliseconds);
            link.session().networkTimeout(executor, milliseconds);
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    // ---- savepoints: work a loss would lose, made again by the replay

    @Override
    public Savepoint setSavepoint() throws SQLException {
        link.ensureLink();
        try {
            return link.savepointMade("SAVEPOINT", link.physical().setSavepoint());
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    @Override
    public Savepoint setSavepoint(String name) throws SQLException {
        link.ensureLink();
        try {
            return link.savepointMade("SAVEPOINT", link.physical().setSavepoint(name));
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    @Override
    public void rollback(Savepoint savepoint) throws SQLException {
        link.ensureLink();
        try {
            link.physical().rollback(savepoint);
            link.markGood();
            link.savepointMade("ROLLBACK TO SAVEPOINT", savepoint);
        } catch (SQLException e) {
            throw link.failed(e, Phase.ROLLBACK);
        }
    }

    @Override
    public void releaseSavepoint(Savepoint savepoint) throws SQLException {
        link.ensureLink();
        try {
            link.physical().releaseSavepoint(savepoint);
            link.savepointMade("RELEASE SAVEPOINT", savepoint);
        } catch (SQLException e) {
            throw failed(e);
        }
    }
}
