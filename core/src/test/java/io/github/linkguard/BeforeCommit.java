package io.github.linkguard;

import com.mysql.cj.MysqlConnection;
import com.mysql.cj.Query;
import com.mysql.cj.interceptors.QueryInterceptor;
import com.mysql.cj.log.Log;
import com.mysql.cj.protocol.Resultset;
import com.mysql.cj.protocol.ServerSession;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * A Connector/J query interceptor ({@code queryInterceptors=io.github.linkguard.BeforeCommit}) that runs an
 * armed action once, just before the driver sends the next COMMIT (or LinkGuard's call that writes the marker and
 * commits): a test cuts the link at that moment (the COMMIT lost on its way, its answer lost after the server
 * committed, a partition).
 */
public final class BeforeCommit implements QueryInterceptor {

    private static final AtomicReference<Runnable> ARMED = new AtomicReference<>();

    /** Runs {@code action} before the next COMMIT any connection sends. */
    static void arm(Runnable action) {
        ARMED.set(action);
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
        if (ARMED.get() != null && commits(sql.get().trim())) {
            Runnable action = ARMED.getAndSet(null);
            if (action != null) {
                action.run();
            }
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
