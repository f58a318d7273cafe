package io.github.linkguard.benchmarks.jmh;

import com.zaxxer.hikari.HikariDataSource;
import io.github.linkguard.benchmarks.Pools;
import io.github.linkguard.benchmarks.stub.StubDataSource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import javax.sql.DataSource;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/** One side (bare HikariCP, or LinkGuard over it) on a pool of {@link #SLOTS} stub connections. */
@State(Scope.Benchmark)
public class StubPool {

    /** The pool's size; the contended runs use twice as many threads. */
    public static final int SLOTS = 2;

    @Param({"BARE", "LINKGUARD"})
    public Pools.Side side;

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
        pool = Pools.hikari("stub-" + side, new StubDataSource(rows()), SLOTS, null);
        dataSource = Pools.front(side, pool, "stub", new SimpleMeterRegistry(), replays());
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
