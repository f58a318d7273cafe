package io.github.linkguard.internal.jdbc;

import io.github.linkguard.internal.retry.SqlStatements;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * A batch the application queued on a statement, kept so that it can be queued again on the statement made on
 * a fresh link: to run a lost batch again, and to replay a transaction that ran one.
 */
interface QueuedBatch {

    /** Queues the batch on {@code statement}, made as the application's was. */
    void queueOn(Statement statement) throws SQLException;

    /** How many statements the batch holds. */
    int rows();

    /** About how many bytes the batch holds (text and values), counted against the replay's bound. */
    long size();

    /**
     * The text the batch is judged by (what it writes, whether it reads, which tables it names): the prepared
     * statement's {@code sql}, or the texts.
     */
    String text(String sql);

    /** Texts queued with {@code addBatch(String)} on a plain statement. */
    record Texts(List<String> texts) implements QueuedBatch {

        @Override
        public void queueOn(Statement statement) throws SQLException {
            for (String text : texts) {
                statement.addBatch(text);
            }
        }

        @Override
        public int rows() {
            return texts.size();
        }

        @Override
        public long size() {
            long size = 0;
            for (String text : texts) {
                size += text.length();
            }
            return size;
        }

        /**
         * The texts on lines of their own, led by the first that writes: judged as one statement, a write if any
         * is, naming every table any names. Never run (each text is a single statement of kind plain: a batch
         * holding another is not kept).
         */
        @Override
        public String text(String sql) {
            String all = String.join("\n", texts);
            for (String text : texts) {
                if (!SqlStatements.readOnly(text)) {
                    return text + "\n" + all;
                }
            }
            return all;
        }
    }

    /** The parameters of each row queued with {@code addBatch()} on a prepared statement. */
    record Rows(List<GuardedPreparedStatement.Bindings> parameters, long bytesPerRow) implements QueuedBatch {

        @Override
        public void queueOn(Statement statement) throws SQLException {
            PreparedStatement prepared = (PreparedStatement) statement;
            for (GuardedPreparedStatement.Bindings row : parameters) {
                row.bind(prepared);
                prepared.addBatch();
            }
        }

        @Override
        public int rows() {
            return parameters.size();
        }

        @Override
        public long size() {
            return parameters.size() * bytesPerRow;
        }

        @Override
        public String text(String sql) {
            return sql;
        }
    }
}
