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
    /** The children of the read-only listing, each read with its own query. */
    private static final int CHILDREN = 300;

    private ReplayFootprint() {
    }

    /** @param quick a smoke run: a few transactions, measuring nothing */
    public static String run(boolean quick) throws SQLException {
        int transactions = quick ? 10 : 5_000;
        Table table = new Table("Heap held per open transaction (" + transactions + " open at once: 3 reads of "
                + "2 columns, an insert, an update; after full GCs)", "LinkGuard replay", "Bytes per open transaction");
        long off = bytesPerTransaction(false, transactions, ReplayFootprint::halfway);
        long on = bytesPerTransaction(true, transactions, ReplayFootprint::halfway);
        table.row("off", off);
        table.row("on", on);
        table.row("kept for the replay (on - off)", on - off);
        int listings = quick ? 2 : 100;
        Table listing = new Table("Heap held per open read-only listing (" + listings + " open at once: 1 + "
                + CHILDREN + " queries of 2 columns, one row each; after full GCs)", "LinkGuard replay",
                "Bytes per open transaction", "Bytes per query");
        long listingOff = bytesPerTransaction(false, listings, ReplayFootprint::listing);
        long listingOn = bytesPerTransaction(true, listings, ReplayFootprint::listing);
        listing.row("off", listingOff, listingOff / (CHILDREN + 1));
        listing.row("on", listingOn, listingOn / (CHILDREN + 1));
        listing.row("kept for the replay (on - off)", listingOn - listingOff, (listingOn - listingOff) / (CHILDREN + 1));
        return table + "\n" + listing;
    }

    /** Makes a connection with its transaction still open, mid-way. */
    @FunctionalInterface
    private interface Halfway {
        Connection open(LinkGuardDataSource dataSource) throws SQLException;
    }

    private static long bytesPerTransaction(boolean replay, int transactions, Halfway halfway) throws SQLException {
        try (LinkGuardDataSource dataSource = LinkGuardDataSource.builder(new StubDataSource(1)).name("footprint")
                .transactionReplay(replay).build()) {
            halfway.open(dataSource).close(); // classes loaded, caches filled
            long before = heapUsed();
            List<Connection> open = new ArrayList<>(transactions);
            for (int i = 0; i < transactions; i++) {
                open.add(halfway.open(dataSource));
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
            read(connection, id);
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

    /** A read-only transaction that loaded a list, then each item's children one query at a time, still open. */
    private static Connection listing(LinkGuardDataSource dataSource) throws SQLException {
        Connection connection = dataSource.getConnection();
        connection.setReadOnly(true);
        connection.setAutoCommit(false);
        for (int id = 0; id <= CHILDREN; id++) {
            read(connection, id);
        }
        return connection;
    }

    /** One query of one row, both columns read. */
    private static void read(Connection connection, long id) throws SQLException {
        try (PreparedStatement read = connection.prepareStatement(READ)) {
            read.setLong(1, id);
            try (ResultSet rows = read.executeQuery()) {
                rows.next();
                rows.getString(1);
                rows.getInt(2);
            }
        }
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
