package io.github.linkguard.benchmarks.jmh;

import com.zaxxer.hikari.HikariDataSource;
import io.github.linkguard.benchmarks.Pools;
import io.github.linkguard.benchmarks.stub.StubDataSource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Properties;
import javax.sql.DataSource;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import software.amazon.jdbc.ds.AwsWrapperDataSource;

/**
 * One side on a pool of {@link #SLOTS} stub connections: bare HikariCP, LinkGuard over it, or (for the
 * comparison with the wrapper users would pick instead, {@code -p side=...}) HikariCP over the AWS Advanced
 * JDBC Wrapper over the stub, as AWS documents it for HikariCP.
 */
@State(Scope.Benchmark)
public class StubPool {

    /** The pool's size; the contended runs use twice as many threads. */
    public static final int SLOTS = 2;

    /** What the benchmark borrows from. */
    public enum Front {
        BARE,
        LINKGUARD,
        /** The AWS wrapper with its default plugins (2.6.0: auroraConnectionTracker, failover2, efm2). */
        AWS_WRAPPER,
        /** The AWS wrapper with no plugins: its wrappers alone. */
        AWS_WRAPPER_NO_PLUGINS
    }

    @Param({"BARE", "LINKGUARD"})
    public Front side;

    DataSource dataSource;
    private HikariDataSource pool;

    /** Whether LinkGuard keeps transactions for their replay (its default: yes). */
    boolean replays() {
        return true;
    }

    /** How many rows every query returns. */
    int rows() {
        return 1;
    }

    @Setup(Level.Trial)
    public void open() {
        DataSource driver = side == Front.AWS_WRAPPER || side == Front.AWS_WRAPPER_NO_PLUGINS
                ? awsWrapper(rows(), side == Front.AWS_WRAPPER) : new StubDataSource(rows());
        pool = Pools.hikari("stub-" + side, driver, SLOTS, null);
        dataSource = side == Front.LINKGUARD
                ? Pools.front(Pools.Side.LINKGUARD, pool, "stub", new SimpleMeterRegistry(), replays()) : pool;
    }

    /**
     * The AWS wrapper's DataSource over the stub (made by class name, {@code rows} set as its property). Its
     * dialect is named (MySQL): detected, it would read the stub's answers to its probing queries as a cluster.
     */
    private static DataSource awsWrapper(int rows, boolean defaultPlugins) {
        AwsWrapperDataSource wrapper = new AwsWrapperDataSource();
        wrapper.setJdbcProtocol("jdbc:mysql:");
        wrapper.setServerName("localhost");
        wrapper.setDatabase("stub");
        wrapper.setTargetDataSourceClassName(StubDataSource.class.getName());
        Properties properties = new Properties();
        properties.setProperty("rows", Integer.toString(rows));
        properties.setProperty("wrapperDialect", "mysql");
        if (!defaultPlugins) {
            properties.setProperty("wrapperPlugins", "");
        }
        wrapper.setTargetDataSourceProperties(properties);
        return wrapper;
    }

    @TearDown(Level.Trial)
    public void close() {
        pool.close();
    }

    /** The stub pool for transactions, with LinkGuard's transaction replay on or off. */
    public static class Transactions extends StubPool {
        @Param({"on", "off"})
        public String replay;

        @Override
        boolean replays() {
            return "on".equals(replay);
        }
    }

    /** The stub pool whose queries return {@link #rows} rows. */
    public static class Rows extends StubPool {
        @Param({"1", "100"})
        public int rows;

        @Override
        int rows() {
            return rows;
        }
    }
}
