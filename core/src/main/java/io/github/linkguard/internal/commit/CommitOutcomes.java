package io.github.linkguard.internal.commit;

import com.mysql.cj.conf.PropertyKey;
import com.mysql.cj.conf.RuntimeProperty;
import com.mysql.cj.jdbc.JdbcConnection;
import io.github.linkguard.Finding;
import io.github.linkguard.internal.diagnosis.ServerProbe;
import io.github.linkguard.internal.metrics.LinkGuardMetrics;
import io.github.linkguard.internal.retry.RetryPolicy;
import io.github.linkguard.internal.transaction.CausalReads;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Learns whether a COMMIT lost with its link took effect, as Oracle's Transaction Guard does with its logical
 * transaction ids. Every transaction that wrote writes a marker just before its COMMIT, in the same
 * transaction: one row per physical connection in LinkGuard's own InnoDB table, holding a token new for each
 * transaction. After a lost COMMIT a fresh link reads the row with a locking read: if the old transaction
 * still holds the row (a partition: its session lives on at the server, its COMMIT perhaps still to arrive),
 * its session is on this server and is fenced ({@code KILL}, the same user may) and the read waits until the
 * server has ended it. The row then says the truth: the token is there if and only if the transaction
 * committed. A transaction lost before its marker was written never sent its COMMIT: it cannot commit.
 * Where it may, the marker and the COMMIT go in one round trip: a procedure of LinkGuard's writes the row
 * and commits, and the driver, which then sees no transaction open, sends nothing more.
 * One DataSource's worth; thread-safe.
 */
public final class CommitOutcomes {

    /** The table's name when none is configured, in the schema of the connections' URL. */
    public static final String DEFAULT_TABLE = "linkguard_commits";
    /** Counted outcomes of lost COMMITs ({@code linkguard.commit.outcomes}, tag {@code outcome}). */
    public static final String COMMITTED = "committed";
    public static final String REPLAYED = "replayed";
    public static final String ROLLED_BACK = "rolled-back";
    public static final String UNKNOWN = "unknown";

    private static final Logger log = LoggerFactory.getLogger("io.github.linkguard.LinkGuard");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_$]{1,64}(\\.[A-Za-z0-9_$]{1,64})?");
    /** MariaDB's answer to a locking read with NOWAIT that finds the row locked (and MySQL's). */
    private static final int LOCK_WAIT_TIMEOUT = 1205;
    private static final int LOCK_NOWAIT = 3572;
    /** The procedure is missing, or the user may not run it: it never ran (MariaDB's and MySQL's codes). */
    private static final Set<Integer> PROCEDURE_UNUSABLE = Set.of(1305, 1370, 1142, 1044);
    /**
     * The table cannot be used (missing, no privilege, another shape, its database gone): outcomes go off. Any
     * other failure of a marker is the transaction's (a deadlock rolled it back) or the server's (read-only):
     * thrown, never a COMMIT without its marker in its place.
     */
    private static final Set<Integer> TABLE_UNUSABLE = Set.of(1146, 1142, 1143, 1054, 1044, 1049);
    /** The procedure exists already. */
    private static final int PROCEDURE_EXISTS = 1304;
    /** The old session is gone already. */
    private static final int UNKNOWN_THREAD = 1094;
    /** After the server was away, the table is looked for again no sooner than this. */
    private static final long CHECK_AGAIN_NANOS = 10_000_000_000L;
    /** How often rows no marker touched for a day are deleted. */
    private static final long CLEAN_UP_NANOS = 3_600_000_000_000L;

    private final String dataSource;
    private final boolean enabled;
    private final boolean autoCommitWrites;
    private final String configuredTable;
    private final ServerProbe.ConnectionSource ddlConnections;
    private final LinkGuardMetrics metrics;
    /** The table's qualified name once it is known to be there; null before. */
    private volatile String table;
    /** Why outcomes cannot be learned on this DataSource (said once); null while they can. */
    private volatile String unavailable;
    /**
     * The marker: an upsert of the connection's row. Never a look for the row before an insert: at REPEATABLE
     * READ that look locks the gap where a new row goes, and two connections writing their first markers at
     * once then wait for each other (a deadlock at COMMIT). An insert takes no such lock, nor does an update of
     * the row found as a duplicate (its record only).
     */
    private volatile String markSql;
    /** The call that writes the marker and commits in one round trip, up to its arguments (the key and the
     *  token follow); null where the procedure could not be made or may not be run: then they go apart. */
    private volatile String markAndCommitSql;
    private volatile String deleteOldSql;
    /** When old rows are deleted next ({@link System#nanoTime()}); set once the table is known. */
    private volatile long cleanUpAt = Long.MAX_VALUE;
    private volatile String lockingReadSql;
    /** When the table may be looked for again after the server was away ({@link System#nanoTime()}). */
    private long checkAgainAt = System.nanoTime();
    /**
     * Each physical connection's row, by the driver's own connection: read without a lock on every COMMIT;
     * closed connections leave with the hourly clean-up.
     */
    private final Map<Connection, Known> keys = new ConcurrentHashMap<>();

    /**
     * @param enabled whether lost COMMITs are resolved
     * @param table the table's name, {@code table} or {@code schema.table}; null for {@link #DEFAULT_TABLE}
     * @param autoCommitWrites whether writes in auto-commit mode run as transactions with a marker
     * @param ddlConnections connections of their own (not the application's), to create the table on
     */
    public CommitOutcomes(String dataSource, boolean enabled, String table, boolean autoCommitWrites,
            ServerProbe.ConnectionSource ddlConnections, LinkGuardMetrics metrics) {
        String name = tableName(table);
        this.dataSource = dataSource;
        this.enabled = enabled;
        this.autoCommitWrites = enabled && autoCommitWrites;
        this.configuredTable = name;
        this.ddlConnections = ddlConnections;
        this.metrics = metrics;
        this.unavailable = enabled ? null : "turned off";
    }

    /**
     * {@code table}, checked: {@code table} or {@code schema.table}, plain names; {@link #DEFAULT_TABLE} for null.
     *
     * @throws IllegalArgumentException for any other name
     */
    public static String tableName(String table) {
        String name = table == null ? DEFAULT_TABLE : table;
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("commit outcome table must be a plain name or schema.name (letters, "
                    + "digits, _ and $): " + table);
        }
        return name;
    }

    /** The DDL of the table, for teams whose schemas are managed by migrations. */
    public static String ddl(String table) {
        return "CREATE TABLE IF NOT EXISTS " + table + " (\n"
                + "  connection_key BIGINT NOT NULL PRIMARY KEY,\n"
                + "  transaction_token BIGINT NOT NULL,\n"
                + "  marked_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP\n"
                + ") ENGINE=InnoDB";
    }

    /** The name of the procedure that writes the marker in {@code table} (quoted or not) and commits. */
    static String procedureOf(String table) {
        return table.endsWith("`") ? table.substring(0, table.length() - 1) + "_commit`" : table + "_commit";
    }

    /**
     * The DDL of the procedure that writes the marker and commits in one round trip (optional: without it the
     * marker costs a round trip of its own), for teams whose schemas are managed by migrations.
     */
    public static String procedureDdl(String table) {
        return "CREATE PROCEDURE " + procedureOf(table) + "(IN k BIGINT, IN t BIGINT)\n"
                + "  MODIFIES SQL DATA SQL SECURITY INVOKER\n"
                + "BEGIN\n"
                + "  INSERT INTO " + table + " (connection_key, transaction_token) VALUES (k, t)\n"
                + "    ON DUPLICATE KEY UPDATE transaction_token = t;\n"
                + "  COMMIT;\n"
                + "END";
    }

    /** Whether writes in auto-commit mode run as transactions of their own with a marker (and outcomes are on). */
    public boolean autoCommitWrites() {
        return autoCommitWrites;
    }

    /** Why lost COMMITs are not resolved on this DataSource; null while they are. */
    public String unavailable() {
        return unavailable;
    }

    /**
     * The preflight's word on lost COMMITs: a finding when they cannot be resolved here (no table and none can
     * be made, a read-only server, a URL without a database), with the DDL to run; null while they can, when
     * turned off, or when the server could not be asked.
     */
    public Finding finding() {
        if (!enabled || ready() || unavailable == null) {
            return null; // resolved here, turned off, or the server could not be asked
        }
        return new Finding("commit-outcome-unavailable", Finding.Severity.WARNING,
                "LinkGuard cannot resolve a COMMIT lost with its link: " + unavailable + ". Such a COMMIT fails with SQLState "
                        + "08007 (outcome unknown). Create the table (" + configuredTable + ", or set "
                        + "linkguard.commit-outcome.table) with a user that may, or set "
                        + "linkguard.commit-outcome.enabled=false to say that 08007 is expected");
    }

    /** A resolved (or unresolved) lost COMMIT, counted. */
    public void outcome(String outcome) {
        metrics.commitOutcome(outcome);
    }

    /**
     * The mark of a transaction about to commit on {@code physical}: its row and a new token. Null when
     * outcomes cannot be learned here (turned off, no table and none can be made, not Connector/J): the COMMIT
     * then goes as it is. The first call on a DataSource makes sure the table is there, on a connection of its
     * own.
     */
    public Mark prepare(Connection physical) {
        if (unavailable != null || (table == null && !ready())) {
            return null;
        }
        if (System.nanoTime() - cleanUpAt >= 0) {
            cleanUp();
        }
        try {
            // the driver's own connection (the same on every borrow), Connector/J's: it tells the session's id
            JdbcConnection driver = physical.unwrap(JdbcConnection.class);
            Known known = keys.get(driver);
            if (known == null) {
                known = keys.computeIfAbsent(driver, c -> new Known(ThreadLocalRandom.current().nextLong()));
            }
            return new Mark(known, driver);
        } catch (SQLException | RuntimeException notConnectorJ) {
            turnOff("the driver is not MySQL Connector/J (" + notConnectorJ + ")");
            return null;
        }
    }

    /**
     * Writes {@code mark} (a new token) in the transaction open on {@code physical} and commits it: in one round
     * trip where the procedure may be run, else the marker then the COMMIT. A lost link is thrown, with
     * {@link Mark#sent()} saying whether the marker may have gone (then its row tells the outcome). A marker that
     * fails because its table cannot be used (dropped, its privilege revoked) turns outcomes off for this
     * DataSource, said once, and the transaction commits as it is. Any other failure (a deadlock, a read-only
     * server) is thrown as it is: nothing was committed.
     */
    public void commit(Connection physical, Mark mark) throws SQLException {
        renew(physical, mark);
        String oneTrip = markAndCommitSql;
        if (oneTrip == null || !markAndCommit(physical, mark, oneTrip)) {
            write(physical, mark);
            physical.commit();
        }
    }

    /**
     * Writes {@code mark} (a new token) in the transaction open on {@code physical}, for a COMMIT the application
     * sends itself (SQL {@code COMMIT}) next. Failures as {@link #commit}'s.
     */
    public void mark(Connection physical, Mark mark) throws SQLException {
        renew(physical, mark);
        write(physical, mark);
    }

    /**
     * A new token, and the server instance of the connection if it is not known yet. A link lost meanwhile sent
     * no COMMIT: the row (without the new token) tells that the transaction did not commit.
     */
    private static void renew(Connection physical, Mark mark) throws SQLException {
        mark.renew();
        try {
            mark.known.learnServer(physical);
        } catch (SQLException failed) {
            mark.sent = RetryPolicy.linkBroke(failed); // lost: the row, without the new token, says it did not commit
            throw failed;
        }
    }

    private void write(Connection physical, Mark mark) throws SQLException {
        mark.sent = true;
        try (PreparedStatement marker = physical.prepareStatement(markSql)) {
            marker.setLong(1, mark.key);
            marker.setLong(2, mark.token);
            marker.setLong(3, mark.token);
            marker.executeUpdate();
        } catch (SQLException e) {
            if (RetryPolicy.linkBroke(e) || !TABLE_UNUSABLE.contains(e.getErrorCode())) {
                throw e; // a deadlock, a lock wait, a read-only server: the transaction's own, not the table's
            }
            mark.sent = false;
            turnOff("its marker could not be written (" + e.getMessage() + ")");
        }
    }

    /**
     * The marker and the COMMIT in one call; then {@code physical.commit()} with the driver trusting the
     * server's word that no transaction is open, so that it sends nothing (the pool learns the transaction
     * ended). False when the procedure is missing or may not be run: it is not used again here.
     */
    private boolean markAndCommit(Connection physical, Mark mark, String oneTrip) throws SQLException {
        mark.sent = true;
        try (Statement call = physical.createStatement()) {
            call.execute(oneTrip + mark.key + ", " + mark.token + ")");
        } catch (SQLException e) {
            if (RetryPolicy.linkBroke(e) || !PROCEDURE_UNUSABLE.contains(e.getErrorCode())) {
                throw e;
            }
            mark.sent = false;
            markAndCommitSql = null;
            log.info("[{}] the marker of a COMMIT goes in a round trip of its own: {}", dataSource, e.getMessage());
            return false;
        }
        RuntimeProperty<Boolean> localState = mark.driver.getPropertySet()
                .getBooleanProperty(PropertyKey.useLocalTransactionState);
        boolean before = localState.getValue();
        localState.setValue(true);
        try {
            physical.commit();
        } finally {
            localState.setValue(before);
        }
        return true;
    }

    /**
     * After a lost COMMIT, on a fresh link: whether the transaction {@code mark} marked committed. The old
     * session is fenced first if it still holds its marker; the fresh link's transaction then holds the row
     * (a locking read) until it ends. Throws {@link Unresolvable} when the old session cannot be fenced.
     */
    public boolean committed(Connection fresh, Mark mark) throws SQLException {
        String syncWait = CausalReads.on(fresh);
        try {
            return tokenCommitted(fresh, mark);
        } finally {
            CausalReads.restore(fresh, syncWait);
        }
    }

    private boolean tokenCommitted(Connection fresh, Mark mark) throws SQLException {
        Long token;
        try {
            token = readToken(fresh, mark, true);
            if (token == null || token != mark.token) {
                releaseLocks(fresh, mark);
            }
        } catch (SQLException locked) {
            if (locked.getErrorCode() != LOCK_WAIT_TIMEOUT && locked.getErrorCode() != LOCK_NOWAIT) {
                throw locked;
            }
            fence(fresh, mark);
            try {
                token = readToken(fresh, mark, false);
            } catch (SQLException stillLocked) {
                if (stillLocked.getErrorCode() == LOCK_WAIT_TIMEOUT) {
                    throw new Unresolvable("the old session (id " + mark.sessionId + ") still held its transaction "
                            + "after it was killed", stillLocked);
                }
                throw stillLocked;
            }
        }
        return token != null && token == mark.token;
    }

    /**
     * The marker row is locked: by the old session, if this is the server instance it was on (else the lock is
     * not provably its, and the outcome stays unknown). It goes, with its transaction.
     */
    private void fence(Connection fresh, Mark mark) throws SQLException {
        if (!oldSessionHere(fresh, mark)) {
            throw new Unresolvable("the marker row is locked, and the old session (id " + mark.sessionId + " on "
                    + mark.known.server + ") is not provably on this server to end", null);
        }
        try (Statement kill = fresh.createStatement()) {
            kill.execute("KILL CONNECTION " + mark.sessionId);
        } catch (SQLException e) {
            if (e.getErrorCode() != UNKNOWN_THREAD) {
                throw new Unresolvable("the old session (id " + mark.sessionId + ") could not be killed: "
                        + e.getMessage(), e);
            }
        }
    }

    /**
     * The old transaction did not commit and cannot (its COMMIT was never sent: its marker was not written), but
     * its session may live on at the server (a partition), holding the locks of its writes until the server
     * notices: it is killed if this is the server instance it was on (the fresh link may be on another server
     * after a failover, or the server restarted: the id then names another session, which is left alone).
     */
    private void releaseLocks(Connection fresh, Mark mark) throws SQLException {
        if (!oldSessionHere(fresh, mark)) {
            return;
        }
        try (Statement kill = fresh.createStatement()) {
            kill.execute("KILL CONNECTION " + mark.sessionId);
        } catch (SQLException e) {
            if (e.getErrorCode() != UNKNOWN_THREAD) {
                throw e;
            }
        }
    }

    /**
     * Whether the fresh link is on the server instance the old session was on, running all along since: then the
     * old session's id is still its own there (not another's on another server after a failover, or after a
     * restart). Unknown instances are not the same.
     */
    private static boolean oldSessionHere(Connection fresh, Mark mark) throws SQLException {
        ServerInstance old = mark.known.server;
        return old != null && old.same(ServerInstance.of(fresh));
    }

    private Long readToken(Connection fresh, Mark mark, boolean noWait) throws SQLException {
        try (PreparedStatement read = fresh.prepareStatement(noWait ? lockingReadSql + " NOWAIT" : lockingReadSql)) {
            read.setLong(1, mark.key);
            try (ResultSet row = read.executeQuery()) {
                return row.next() ? row.getLong(1) : null;
            }
        }
    }

    /** Makes sure the table is there: once per DataSource, on a connection of its own. */
    private synchronized boolean ready() {
        if (table != null || unavailable != null) {
            return table != null;
        }
        if (System.nanoTime() - checkAgainAt < 0) {
            return false; // the server was away a moment ago: COMMITs go as they are meanwhile
        }
        try (Connection own = ddlConnections.open(); Statement ddl = own.createStatement()) {
            String qualified = configuredTable;
            if (!qualified.contains(".")) {
                String schema = own.getCatalog();
                if (schema == null || schema.isEmpty()) {
                    turnOff("the connections name no database: name the table as schema.table");
                    return false;
                }
                qualified = schema + "." + configuredTable;
            }
            String quoted = quote(qualified);
            try {
                ddl.execute(ddl(quoted));
            } catch (SQLException cannotCreate) {
                try {
                    ddl.executeQuery("SELECT connection_key, transaction_token FROM " + quoted + " LIMIT 0").close();
                } catch (SQLException missing) {
                    turnOff("its table " + qualified + " is missing and could not be created (" + cannotCreate.getMessage()
                            + "); create it with:\n" + ddl(quoted));
                    return false;
                }
            }
            deleteOldSql = "DELETE FROM " + quoted + " WHERE marked_at < NOW() - INTERVAL 1 DAY";
            markSql = "INSERT INTO " + quoted + " (connection_key, transaction_token) VALUES (?, ?) "
                    + "ON DUPLICATE KEY UPDATE transaction_token = ?"; // not VALUES(): MySQL deprecates it
            lockingReadSql = "SELECT transaction_token FROM " + quoted + " WHERE connection_key = ? FOR UPDATE";
            markAndCommitSql = procedure(ddl, quoted);
            table = qualified;
            cleanUpAt = System.nanoTime();
            return true;
        } catch (SQLException unreachable) {
            checkAgainAt = System.nanoTime() + CHECK_AGAIN_NANOS; // the server is away: asked again later
            return false;
        }
    }

    /**
     * Makes the procedure that writes the marker and commits, if missing; the call's text up to its arguments, or
     * null where it cannot be made (the user may not: the marker then goes in a round trip of its own).
     */
    private String procedure(Statement ddl, String quotedTable) {
        try {
            ddl.execute(procedureDdl(quotedTable));
        } catch (SQLException e) {
            if (e.getErrorCode() != PROCEDURE_EXISTS) {
                log.info("[{}] the marker of a COMMIT goes in a round trip of its own: its procedure could not be "
                        + "made ({}); it can be made with:\n{}", dataSource, e.getMessage(), procedureDdl(quotedTable));
                return null;
            }
        }
        return "CALL " + procedureOf(quotedTable) + "(";
    }

    /**
     * Deletes the rows no marker touched for a day (their physical connections are long closed: a live one
     * writes its row again with its next transaction), hourly, on a thread and a connection of their own: rows
     * stay bounded. The keys of closed connections go then too.
     */
    private synchronized void cleanUp() {
        if (System.nanoTime() - cleanUpAt < 0) {
            return;
        }
        cleanUpAt = System.nanoTime() + CLEAN_UP_NANOS;
        Thread cleaner = new Thread(this::deleteOldRows, "linkguard-commit-markers");
        cleaner.setDaemon(true); // off the application's COMMIT, which only starts it
        cleaner.start();
    }

    private void deleteOldRows() {
        keys.keySet().removeIf(CommitOutcomes::closed);
        try (Connection own = ddlConnections.open(); Statement delete = own.createStatement()) {
            delete.executeUpdate(deleteOldSql);
        } catch (SQLException e) {
            log.debug("[{}] old commit markers not deleted now: {}", dataSource, e.toString());
        }
    }

    private static boolean closed(Connection driver) {
        try {
            return driver.isClosed();
        } catch (SQLException e) {
            return true;
        }
    }

    private static String quote(String qualified) {
        StringBuilder quoted = new StringBuilder();
        for (String part : qualified.split("\\.")) {
            quoted.append(quoted.length() == 0 ? "" : ".").append('`').append(part).append('`');
        }
        return quoted.toString();
    }

    private void turnOff(String why) {
        if (unavailable == null) {
            unavailable = why;
            log.warn("[{}] lost COMMITs cannot be resolved: {}. A COMMIT lost with its link fails with SQLState 08007 "
                    + "(outcome unknown)", dataSource, why);
        }
    }

    /** Whether a failure is the link's (the session may be gone), not the statement's. */

    /** The table's qualified name, once known; null before. */
    public String table() {
        return table;
    }

    /** One transaction's marker: its physical connection's row, its token, the session that wrote it. */
    public static final class Mark {
        final long key;
        final Known known;
        final JdbcConnection driver;
        long token;
        /** The server's id of the session that wrote the marker (or was about to). */
        long sessionId;
        boolean sent;

        Mark(Known known, JdbcConnection driver) {
            this.key = known.key;
            this.known = known;
            this.driver = driver;
        }

        /** A new token, for a transaction about to commit on the driver's session. */
        void renew() {
            token = ThreadLocalRandom.current().nextLong();
            sessionId = driver.getSession().getThreadId();
        }

        /** Whether the marker may have reached the server (then its row tells whether the transaction committed). */
        public boolean sent() {
            return sent;
        }
    }

    /** The outcome of a lost COMMIT cannot be learned: the old session could not be fenced. */
    public static final class Unresolvable extends SQLException {
        public Unresolvable(String why, SQLException cause) {
            super(why, "08007", cause);
        }
    }

    /** A physical connection's row key, and the server instance it is on. */
    static final class Known {
        final long key;
        /** Null until read (with the connection's first marker), or if it could not be. */
        volatile ServerInstance server;
        private volatile boolean asked;

        Known(long key) {
            this.key = key;
        }

        /**
         * Reads the server instance of the connection, once for its life, before its first marker. A failure is
         * thrown: a lost link (nothing was sent), or the transaction's own (Galera rolled it back for another node's
         * write), which its COMMIT must report. An answer that cannot be read leaves it unknown: its old sessions
         * are then never killed, and an outcome may stay unknown, never wrong.
         */
        void learnServer(Connection physical) throws SQLException {
            if (asked) {
                return;
            }
            try {
                server = ServerInstance.of(physical);
            } catch (SQLException e) {
                // inside the application's transaction: a failure may be its own (Galera rolled it back for another
                // node's write: 1213), which the COMMIT must report, never a statement of LinkGuard's swallow
                throw e;
            } catch (RuntimeException unreadable) {
                // unknown: see above
            }
            asked = true;
        }
    }
}
