package io.github.linkguard;

import com.mysql.cj.MysqlConnection;
import com.mysql.cj.Query;
import com.mysql.cj.interceptors.QueryInterceptor;
import com.mysql.cj.log.Log;
import com.mysql.cj.protocol.Resultset;
import com.mysql.cj.protocol.ServerSession;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * A Connector/J query interceptor ({@code queryInterceptors=io.github.linkguard.BeforeCommit}) that runs an
 * armed action once, just before the driver sends the next COMMIT (or LinkGuard's call that writes the marker and
 * commits), or the next statement a test names: a test cuts the link at that moment (the COMMIT lost on its way,
 * its answer lost after the server committed, a partition; then a fresh link lost as it resolves the COMMIT).
 */
public final class BeforeCommit implements QueryInterceptor {

    private static final AtomicReference<Armed> ARMED = new AtomicReference<>();

    private record Armed(Predicate<String> at, Runnable action) {
    }

    /** Runs {@code action} before the next COMMIT any connection sends. */
    static void arm(Runnable action) {
        armAt(BeforeCommit::commits, action);
    }

    /** Runs {@code action} before the next statement (its text trimmed) that {@code at} accepts. */
    static void armAt(Predicate<String> at, Runnable action) {
        ARMED.set(new Armed(at, action));
    }

    /** Forgets an action that did not run. */
    static void disarm() {
        ARMED.set(null);
    }

    @Override
    public QueryInterceptor init(MysqlConnection connection, Properties properties, Log log) {
        return this;
    }

    @Override
    public <T extends Resultset> T preProcess(Supplier<String> sql, Query query) {
        Armed armed = ARMED.get();
        if (armed != null && armed.at().test(sql.get().trim()) && ARMED.compareAndSet(armed, null)) {
            armed.action().run(); // which may arm the next
        }
        return null;
    }

    private static boolean commits(String sql) {
        return "commit".equalsIgnoreCase(sql) || (sql.startsWith("CALL ") && sql.contains("_commit`("));
    }

    @Override
    public boolean executeTopLevelOnly() {
        return false;
    }

    @Override
    public void destroy() {
    }

    @Override
    public <T extends Resultset> T postProcess(Supplier<String> sql, Query query, T originalResultSet,
            ServerSession serverSession) {
        return null;
    }
}
