package io.github.linkguard.internal.transaction;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.linkguard.internal.replay.TransactionLog;
import io.github.linkguard.internal.retry.SqlStatements;
import org.junit.jupiter.api.Test;

/**
 * The transaction room alone, fed the replies the real server gave (MariaDB 11.4.5 through Connector/J 26.10,
 * as measured in docs/transactions.md): where a transaction begins and ends, whether it wrote, whether it may be
 * replayed.
 */
class TransactionTest {

    /** A reply: the status flag and the reported state (null: no change reported). */
    private static final class Reply implements ServerWord {
        final boolean reports;
        boolean open;
        String state;

        Reply(boolean reports) {
            this.reports = reports;
        }

        Reply said(boolean open, String state) {
            this.open = open;
            this.state = reports ? state : null;
            return this;
        }

        @Override
        public boolean inTransaction() {
            return open;
        }

        @Override
        public boolean reportsTransactions() {
            return reports;
        }

        @Override
        public String transactionState() {
            return state;
        }
    }

    private static final Transaction.Reads TEXT = SqlStatements::readOnly;

    private static Transaction transaction(boolean autoCommit) {
        return new Transaction(autoCommit, true, () -> new TransactionLog(256, 1 << 20));
    }

    @Test
    void aSqlCommitInsideAJdbcTransactionEndsIt() {
        Transaction transaction = transaction(false);
        Reply reply = new Reply(true);
        assertThat(transaction.ran("INSERT INTO t VALUES (1)", reply.said(true, "I___W___"), TEXT)).isTrue();
        assertThat(transaction.atStake()).isTrue();
        assertThat(transaction.ran("COMMIT", reply.said(false, "________"), TEXT)).isFalse();
        assertThat(transaction.atStake()).isFalse();
        assertThat(transaction.wrote()).isFalse();
        assertThat(transaction.ran("INSERT INTO t VALUES (2)", reply.said(true, "I___W___"), TEXT)).isTrue();
        assertThat(transaction.log().whyNot()).isNull();
    }

    @Test
    void anImplicitCommitReportedByTheServerEndsIt() {
        Transaction transaction = transaction(false);
        Reply reply = new Reply(true);
        transaction.ran("INSERT INTO t VALUES (1)", reply.said(true, "I___W___"), TEXT);
        assertThat(transaction.ran("CREATE TABLE IF NOT EXISTS x (id INT)", reply.said(false, "________"), TEXT)).isFalse();
        assertThat(transaction.atStake()).isFalse();
    }

    @Test
    void aProcedureThatCommitsEndsItByTheStatusFlagAloneWithoutReports() {
        Transaction transaction = transaction(false);
        Reply reply = new Reply(false);
        transaction.ran("INSERT INTO t VALUES (1)", reply.said(true, null), TEXT);
        assertThat(transaction.wrote()).isTrue();
        assertThat(transaction.log().whyNot()).isEqualTo(Transaction.UNPROVEN_WRITE);
        assertThat(transaction.ran("CALL commits_inside()", reply.said(false, null), TEXT)).isFalse();
        assertThat(transaction.atStake()).isFalse();
        assertThat(transaction.log().whyNot()).isNull();
    }

    @Test
    void aTransactionBegunWithSqlInAutoCommitModeIsKeptFromItsBegin() {
        Transaction transaction = transaction(true);
        Reply reply = new Reply(true);
        assertThat(transaction.ran("SELECT 1", reply.said(false, null), TEXT)).isFalse();
        assertThat(transaction.ran("START TRANSACTION", reply.said(true, "T_______"), TEXT)).isTrue();
        assertThat(transaction.atStake()).isTrue();
        assertThat(transaction.ran("INSERT INTO t VALUES (1)", reply.said(true, "T___WsS_"), TEXT)).isTrue();
        assertThat(transaction.log().whyNot()).isNull();
        assertThat(transaction.ran("COMMIT", reply.said(false, "________"), TEXT)).isFalse();
        assertThat(transaction.atStake()).isFalse();
    }

    @Test
    void aNonTransactionalWriteMakesItNotReplayableUntilItEnds() {
        Transaction transaction = transaction(true);
        Reply reply = new Reply(true);
        transaction.ran("START TRANSACTION", reply.said(true, "T_______"), TEXT);
        transaction.ran("INSERT INTO innodb VALUES (1)", reply.said(true, "T___WsS_"), TEXT);
        transaction.ran("INSERT INTO audited VALUES (1)", reply.said(true, "T__wWsS_"), TEXT); // by a trigger
        assertThat(transaction.log().whyNot()).isEqualTo(Transaction.NON_TRANSACTIONAL);
        transaction.ran("ROLLBACK", reply.said(false, "________"), TEXT);
        transaction.ran("START TRANSACTION", reply.said(true, "T_______"), TEXT);
        assertThat(transaction.log().whyNot()).isNull();
    }

    @Test
    void aFunctionCalledInASelectThatWroteMyIsamIsSeenInTheReport() {
        Transaction transaction = transaction(true);
        Reply reply = new Reply(true);
        transaction.ran("START TRANSACTION", reply.said(true, "T_______"), TEXT);
        transaction.ran("SELECT audit_fn(8)", reply.said(true, "T__w__S_"), TEXT);
        assertThat(transaction.wrote()).isTrue();
        assertThat(transaction.log().whyNot()).isEqualTo(Transaction.NON_TRANSACTIONAL);
    }

    @Test
    void commitAndChainBeginsATransactionThatIsNotReplayed() {
        Transaction transaction = transaction(true);
        Reply reply = new Reply(true);
        transaction.ran("START TRANSACTION", reply.said(true, "T_______"), TEXT);
        transaction.ran("INSERT INTO t VALUES (1)", reply.said(true, "T___WsS_"), TEXT);
        assertThat(transaction.ran("COMMIT AND CHAIN", reply.said(true, "T_______"), TEXT)).isTrue();
        assertThat(transaction.atStake()).isTrue();
        assertThat(transaction.wrote()).isFalse(); // the chained transaction wrote nothing yet
        assertThat(transaction.log().whyNot()).contains("COMMIT AND");
    }

    @Test
    void aFailedStatementThatMayCommitStopsTheReplayUntilTheServerSaysTheTransactionEnded() {
        Transaction transaction = transaction(false);
        Reply reply = new Reply(true);
        transaction.ran("INSERT INTO t VALUES (1)", reply.said(true, "I___W___"), TEXT);
        transaction.failed("CREATE TABLE t (id INT)"); // an error reply: the implicit commit came first
        assertThat(transaction.log().whyNot()).contains("CREATE TABLE");
        transaction.ran("SELECT 1", reply.said(false, "________"), TEXT); // measured: the next reply says so
        assertThat(transaction.atStake()).isFalse();
        assertThat(transaction.log().whyNot()).isNull();
    }

    @Test
    void severalStatementsInOneTextAreNeverReplayed() {
        Transaction transaction = transaction(false);
        Reply reply = new Reply(true);
        transaction.ran("INSERT INTO t VALUES (1)", reply.said(true, "I___W___"), TEXT);
        transaction.ran("COMMIT; INSERT INTO t VALUES (2)", reply.said(true, null), TEXT); // I___W___ again: no report
        assertThat(transaction.atStake()).isTrue();
        assertThat(transaction.log().whyNot()).contains("may have ended the transaction");
    }

    @Test
    void withoutAnyWordFromTheServerTheTextDecides() {
        Transaction transaction = transaction(true);
        assertThat(transaction.ran("SELECT * FROM t", null, TEXT)).isFalse();
        assertThat(transaction.ran("BEGIN", null, TEXT)).isTrue();
        assertThat(transaction.ran("SELECT * FROM t", null, TEXT)).isTrue();
        assertThat(transaction.log().whyNot()).isNull();
        assertThat(transaction.ran("COMMIT", null, TEXT)).isFalse();
        assertThat(transaction.ran("CALL p()", null, TEXT)).isTrue(); // may have begun one: at stake, loudly
        assertThat(transaction.atStake()).isTrue();
    }

    @Test
    void turningAutoCommitOnCommits() {
        Transaction transaction = transaction(false);
        Reply reply = new Reply(true);
        transaction.ran("INSERT INTO t VALUES (1)", reply.said(true, "I___W___"), TEXT);
        transaction.autoCommit(true);
        assertThat(transaction.atStake()).isFalse();
        assertThat(transaction.autoCommit()).isTrue();
    }

    @Test
    void characteristicsSetForTheNextTransactionAloneMakeThatOneNotReplayable() {
        Transaction transaction = transaction(false);
        Reply reply = new Reply(true);
        transaction.characteristicsOfItsOwn(); // SET TRANSACTION ISOLATION LEVEL ... with none open
        assertThat(transaction.ran("SELECT v FROM t", reply.said(true, "T_______"), TEXT)).isTrue();
        assertThat(transaction.whyNotReplayable()).contains("isolation level was set for it alone");
        transaction.end();
        assertThat(transaction.ran("SELECT v FROM t", reply.said(true, "T_______"), TEXT)).isTrue();
        assertThat(transaction.log().whyNot()).isNull(); // the next one runs at the session's level
    }

    @Test
    void characteristicsSetForTheNextAreUsedUpByAnAutoCommitStatement() {
        Transaction transaction = transaction(true);
        Reply reply = new Reply(true);
        transaction.characteristicsOfItsOwn();
        assertThat(transaction.ran("SELECT 1", reply.said(false, null), TEXT)).isFalse();
        transaction.autoCommit(false);
        assertThat(transaction.ran("SELECT v FROM t", reply.said(true, "T_______"), TEXT)).isTrue();
        assertThat(transaction.log().whyNot()).isNull();
    }

    @Test
    void aLevelChangedWhileATransactionIsOpenMakesItNotReplayable() {
        Transaction transaction = transaction(false);
        Reply reply = new Reply(true);
        assertThat(transaction.ran("SELECT v FROM t", reply.said(true, "T_______"), TEXT)).isTrue();
        transaction.characteristicsOfItsOwn();
        assertThat(transaction.whyNotReplayable()).contains("isolation level was set for it alone");
    }
}
