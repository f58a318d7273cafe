package io.github.linkguard.benchmarks.load;

import io.github.linkguard.LinkGuardDataSource;
import io.github.linkguard.benchmarks.Table;
import io.github.linkguard.benchmarks.stub.StubDataSource;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The heap an open transaction holds through LinkGuard, with its replay on and off: many connections (over
 * the stub driver, which holds next to nothing) each mid-way through a {@code @Transactional}-style
 * transaction of three reads, an insert and an update, the heap measured after full collections before and
 * while they are open.
 */
public final class ReplayFootprint {

    private static final String READ = "SELECT name, qty FROM bench_item WHERE id = ?";
    private static final String INSERT = "INSERT INTO bench_log (name, qty) VALUES (?, ?)";
    private static final String UPDATE = "UPDATE bench_item SET qty = qty + 1 WHERE id = ?";

    private ReplayFootprint() {
    }

    /** @param quick a smoke run: a few transactions, measuring nothing */
    public static String run(boolean quick) throws SQLException {
        int transactions = quick ? 10 : 5_000;
        Table table = new Table("Heap held per open transaction (" + transactions + " open at once: 3 reads of "
                + "2 columns, an insert, an update; after full GCs)", "LinkGuard replay", "Bytes per open transaction");
        long off = bytesPerTransaction(false, transactions);
        long on = bytesPerTransaction(true, transactions);
        table.row("off", off);
        table.row("on", on);
        table.row("kept for the replay (on - off)", on - off);
        return table.toString();
    }

    private static long bytesPerTransaction(boolean replay, int transactions) throws SQLException {
        try (LinkGuardDataSource dataSource = LinkGuardDataSource.builder(new StubDataSource(1)).name("footprint")
                .transactionReplay(replay).build()) {
            halfway(dataSource).close(); // classes loaded, caches filled
            long before = heapUsed();
            List<Connection> open = new ArrayList<>(transactions);
            for (int i = 0; i < transactions; i++) {
                open.add(halfway(dataSource));
            }
            long during = heapUsed();
            for (Connection connection : open) {
                connection.rollback();
                connection.close();
            }
            return (during - before) / transactions;
        }
    }

    /** A connection whose transaction ran three reads, an insert and an update, and is still open. */
    private static Connection halfway(LinkGuardDataSource dataSource) throws SQLException {
        Connection connection = dataSource.getConnection();
        connection.setAutoCommit(false);
        for (int id = 1; id <= 3; id++) {
            try (PreparedStatement read = connection.prepareStatement(READ)) {
                read.setLong(1, id);
                try (ResultSet rows = read.executeQuery()) {
                    rows.next();
                    rows.getString(1);
                    rows.getInt(2);
                }
            }
        }
        try (PreparedStatement insert = connection.prepareStatement(INSERT)) {
            insert.setString(1, "order");
            insert.setInt(2, 1);
            insert.executeUpdate();
        }
        try (PreparedStatement update = connection.prepareStatement(UPDATE)) {
            update.setLong(1, 3);
            update.executeUpdate();
        }
        return connection;
    }

    private static long heapUsed() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) { // the lowest of a few full collections: what is really held
            System.gc();
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
