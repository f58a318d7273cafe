package io.github.linkguard.examples.ledger;

import java.util.concurrent.atomic.AtomicLong;
import org.hibernate.SessionEventListener;

/**
 * Hibernate's own count of the JDBC batches it executed (its session event for each {@code executeBatch}),
 * installed in every session by {@code hibernate.session.events.auto}: the evidence that the ledger's writes go
 * as batches, so that a test of their transactions under lost links tests batches.
 */
public class JdbcBatches implements SessionEventListener {

    private static final AtomicLong EXECUTED = new AtomicLong();

    /** The property that installs it, for {@code @SpringBootTest(properties = ...)}. */
    static final String PROPERTY = "spring.jpa.properties.hibernate.session.events.auto="
            + "io.github.linkguard.examples.ledger.JdbcBatches";

    /** Batches executed so far, in this JVM. */
    static long executed() {
        return EXECUTED.get();
    }

    @Override
    public void jdbcExecuteBatchStart() {
        EXECUTED.incrementAndGet();
    }
}
