package io.github.linkguard.internal.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.linkguard.Cause;
import io.github.linkguard.Diagnosis;
import io.github.linkguard.Phase;
import io.github.linkguard.RetryRule;
import io.github.linkguard.capture.Captured;
import io.github.linkguard.internal.LinkSource;
import io.github.linkguard.internal.LostLinkHandler;
import io.github.linkguard.internal.commit.CommitOutcomes;
import io.github.linkguard.internal.diagnosis.ClientSettings;
import io.github.linkguard.internal.metrics.LinkGuardMetrics;
import io.github.linkguard.internal.pool.Comeback;
import io.github.linkguard.internal.remedy.Remedies;
import io.github.linkguard.internal.replay.TransactionLog;
import io.github.linkguard.internal.retry.Retrier;
import io.github.linkguard.internal.retry.RetryBudget;
import io.github.linkguard.internal.session.ServerReports;
import io.github.linkguard.internal.session.SessionCarry;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The recovery room alone: a {@link Link}'s states and decisions over physical connections that fail with
 * exceptions captured from the real driver (Connector/J's "Communications link failure"), fresh links from a
 * source that hands out the next one in line.
 */
class LinkTest {

    private final Source source = new Source();
    private final List<Connection> reopenedOn = new ArrayList<>();

    @Test
    void aLostLinkLeavesForGoodAndTheNextCallRunsOnAFreshOneWithTheStatementsMadeAgain() throws Exception {
        Physical first = new Physical(false);
        Physical fresh = new Physical(true);
        Link link = link(first);
        source.next.add(fresh.connection);

        SQLException lost = captured("dropped-link");
        assertThat((Object) link.failed(lost, Phase.EXECUTE)).isSameAs(lost);
        assertThat(Diagnosis.of(lost)).hasValueSatisfying(d -> assertThat(d.cause()).isEqualTo(Cause.NETWORK));
        assertThat(source.evicted).containsExactly(first.connection);
        assertThat(link.open()).isFalse();

        link.ensureLink();
        assertThat(link.physical()).isSameAs(fresh.connection);
        assertThat(reopenedOn).containsExactly(fresh.connection);
        assertThat(fresh.autoCommit).isFalse(); // the application's mode, not the fresh link's default
        assertThat(link.open()).isTrue();
    }

    @Test
    void anOrdinarySqlErrorLeavesTheLinkAsItIs() throws Exception {
        Physical first = new Physical(true);
        Link link = link(first);
        SQLException duplicate = new SQLException("Duplicate entry '1' for key 'PRIMARY'", "23000", 1062);
        assertThat((Object) link.failed(duplicate, Phase.EXECUTE)).isSameAs(duplicate);
        assertThat(Diagnosis.of(duplicate)).isEmpty();
        assertThat(source.evicted).isEmpty();
        assertThat(link.open()).isTrue();
    }

    @Test
    void aCommitLostWhenNothingWasWrittenSucceedsAndTheConnectionGoesOn() throws Exception {
        Physical first = new Physical(false);
        first.failCommit = captured("commit-link-lost");
        Link link = link(first);
        source.next.add(new Physical(true).connection);

        link.commit(); // nothing at stake: there was nothing to commit
        assertThat(source.evicted).containsExactly(first.connection);
        link.ensureLink();
        assertThat(link.open()).isTrue();
    }

    @Test
    void aSessionCallLostWithNothingAtStakeIsMadeAgainOnAFreshLink() throws Exception {
        Physical first = new Physical(true);
        Physical fresh = new Physical(true);
        Link link = link(first);
        source.next.add(fresh.connection);

        String result = link.settle(captured("dropped-link"), false, () -> "made again on "
                + (link.physical() == fresh.connection ? "the fresh link" : "the old link"));
        assertThat(result).isEqualTo("made again on the fresh link");
        assertThat(source.evicted).containsExactly(first.connection);
        assertThat(reopenedOn).containsExactly(fresh.connection);
    }

    @Test
    void aSessionCallThatKeepsFailingGivesUpAfterTheAttempts() throws Exception {
        Link link = link(new Physical(true));
        for (int i = 0; i < 3; i++) {
            source.next.add(new Physical(true).connection);
        }
        SQLException failure = captured("dropped-link");
        SQLException again = captured("dropped-link");
        assertThatThrownBy(() -> link.settle(failure, false, () -> {
            throw again;
        })).isInstanceOf(SQLException.class).hasMessageContaining("Communications link failure");
        assertThat(source.evicted).hasSize(3); // the first link and two fresh ones: three attempts in all
    }

    @Test
    void aClosedConnectionRefusesEveryCallWith08003() throws Exception {
        Physical first = new Physical(true);
        Link link = link(first);
        link.close();
        assertThat(first.closed).isTrue();
        assertThat(link.closed()).isTrue();
        link.close(); // twice: nothing more
        link.failed(captured("dropped-link"), Phase.EXECUTE);
        assertThatThrownBy(link::ensureLink).isInstanceOf(SQLException.class)
                .hasMessage("Connection is closed").extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("08003");
    }

    @Test
    void aRollbackLostWithItsLinkHappenedAnyway() throws Exception {
        Physical first = new Physical(false);
        first.failRollback = captured("dropped-link");
        Link link = link(first);
        link.rollback(); // the server rolls back a transaction whose link breaks
        assertThat(source.evicted).containsExactly(first.connection);
        assertThat(link.transactionLost()).isFalse();
    }

    private Link link(Physical physical) throws SQLException {
        return new Link(source, physical.connection, System.nanoTime(), reopenedOn::add);
    }

    private static SQLException captured(String name) throws Exception {
        return (SQLException) Captured.load(name);
    }

    /** A physical connection that answers what the recovery asks and fails where told to. */
    private static final class Physical {
        boolean autoCommit;
        boolean closed;
        SQLException failCommit;
        SQLException failRollback;
        final Connection connection;

        Physical(boolean autoCommit) {
            this.autoCommit = autoCommit;
            this.connection = (Connection) Proxy.newProxyInstance(LinkTest.class.getClassLoader(),
                    new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                        switch (method.getName()) {
                            case "getAutoCommit":
                                return this.autoCommit;
                            case "setAutoCommit":
                                this.autoCommit = (Boolean) args[0];
                                return null;
                            case "isValid":
                                return !closed;
                            case "close":
                                closed = true;
                                return null;
                            case "commit":
                                if (failCommit != null) {
                                    throw failCommit;
                                }
                                return null;
                            case "rollback":
                                if (failRollback != null) {
                                    throw failRollback;
                                }
                                return null;
                            case "unwrap":
                            case "isWrapperFor":
                                throw new SQLException("not a driver connection");
                            case "toString":
                                return "physical@" + System.identityHashCode(proxy);
                            case "hashCode":
                                return System.identityHashCode(proxy);
                            case "equals":
                                return proxy == args[0];
                            default:
                                throw new UnsupportedOperationException(method.getName());
                        }
                    });
        }
    }

    /** Fresh links in line; what was evicted; the defaults of a DataSource with 3 attempts 1 ms apart. */
    private static final class Source implements LinkSource {
        final Deque<Connection> next = new ArrayDeque<>();
        final List<Connection> evicted = new ArrayList<>();
        private final LostLinkHandler handler = new LostLinkHandler("test", null, LinkGuardMetrics.NOOP,
                ClientSettings.UNKNOWN, new Comeback(), new Remedies("test", false, Set.of(), null, LinkGuardMetrics.NOOP));
        private final Retrier retrier = new Retrier("test", 3, Duration.ofMillis(1), 1.5, Duration.ofMillis(2),
                Duration.ofSeconds(10));
        private final RetryBudget budget = new RetryBudget(0.2, 10);
        private final SessionCarry sessions = new SessionCarry();
        private final CommitOutcomes commitOutcomes = new CommitOutcomes("test", false, null, false, null, LinkGuardMetrics.NOOP);

        @Override
        public LostLinkHandler handler() {
            return handler;
        }

        @Override
        public Retrier retrier() {
            return retrier;
        }

        @Override
        public RetryBudget retryBudget() {
            return budget;
        }

        @Override
        public RetryRule retryRule() {
            return RetryRule.DEFAULT;
        }

        @Override
        public boolean autoCommitOf(Connection physical) throws SQLException {
            return physical.getAutoCommit();
        }

        @Override
        public ServerReports.Tracked serverReports() {
            return ServerReports.Tracked.NONE;
        }

        @Override
        public SessionCarry sessions() {
            return sessions;
        }

        @Override
        public CommitOutcomes commitOutcomes() {
            return commitOutcomes;
        }

        @Override
        public boolean replaysTransactions() {
            return true;
        }

        @Override
        public Supplier<TransactionLog> transactionLogs() {
            return () -> new TransactionLog(50, 1 << 20);
        }

        @Override
        public Connection connect() throws SQLException {
            Connection fresh = next.poll();
            if (fresh == null) {
                throw new SQLException("no more fresh links in this test", "08001");
            }
            return fresh;
        }

        @Override
        public Connection connectWithRetries() throws SQLException {
            return connect();
        }

        @Override
        public void evict(Connection physical) {
            evicted.add(physical);
        }

        @Override
        public boolean followsWriter() {
            return false; // one server: nothing to learn again
        }

        @Override
        public void leftWriter(Connection physical) {
        }
    }
}
