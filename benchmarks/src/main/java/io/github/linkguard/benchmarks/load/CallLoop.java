package io.github.linkguard.benchmarks.load;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import javax.sql.DataSource;

/**
 * Application threads calling one JDBC operation in a loop until stopped, each call timed and reported
 * to an {@link Observer}: the load of the loopback and recovery benchmarks.
 */
public final class CallLoop implements AutoCloseable {

    /** One application call: borrows, works and returns a connection. */
    @FunctionalInterface
    public interface Call {
        void run(DataSource dataSource) throws SQLException;
    }

    /** Told of every call; called from the loop's threads at once. */
    @FunctionalInterface
    public interface Observer {
        /** @param failure what reached the application, or null for a success */
        void called(long startNanos, long endNanos, SQLException failure);
    }

    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running = true;

    /**
     * Starts {@code threads} threads calling {@code call} on {@code dataSource}.
     *
     * @param pauseNanos how long each thread pauses between two calls (0: none)
     */
    public CallLoop(String name, DataSource dataSource, Call call, int threads, long pauseNanos, Observer observer) {
        for (int i = 0; i < threads; i++) {
            Thread thread = new Thread(() -> {
                while (running) {
                    long start = System.nanoTime();
                    SQLException failure = null;
                    try {
                        call.run(dataSource);
                    } catch (SQLException e) {
                        failure = e;
                    }
                    observer.called(start, System.nanoTime(), failure);
                    if (pauseNanos > 0) {
                        LockSupport.parkNanos(pauseNanos);
                    }
                }
            }, name + "-" + i);
            thread.setDaemon(true);
            this.threads.add(thread);
        }
        this.threads.forEach(Thread::start);
    }

    /** Stops the threads and waits for their calls in flight to end. */
    @Override
    public void close() {
        running = false;
        for (Thread thread : threads) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Sleeps without the checked exception: benchmark phases are timed by it. */
    public static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
