package io.github.linkguard.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(MariaDbExtension.class)
class EmbeddedMariaDbTest {

    @Test
    void sharedServerAnswersAndIsReused(EmbeddedMariaDb db) throws SQLException {
        assertThat(db).isSameAs(EmbeddedMariaDb.shared());
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT VERSION(), DATABASE()")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).startsWith("11.4.");
            assertThat(rs.getString(2)).isEqualTo(EmbeddedMariaDb.DATABASE);
        }
    }

    @Test
    void dedicatedServerTakesVariablesAndSurvivesStopStartAndKill() throws SQLException {
        try (EmbeddedMariaDb db = EmbeddedMariaDb.builder()
                .serverVariable("net_write_timeout", 7)
                .serverVariable("max_allowed_packet", 1048576)
                .start()) {
            assertThat(globalVariable(db, "net_write_timeout")).isEqualTo("7");
            assertThat(globalVariable(db, "max_allowed_packet")).isEqualTo("1048576");
            db.execute("CREATE TABLE kept (id INT PRIMARY KEY)", "INSERT INTO kept VALUES (1)");
            int port = db.port();

            db.stop();
            assertThat(db.isRunning()).isFalse();
            assertThatThrownBy(db::adminConnection).isInstanceOf(SQLException.class);
            db.start();
            assertThat(db.port()).isEqualTo(port);
            assertThat(count(db)).isEqualTo(1);

            db.kill();
            assertThatThrownBy(db::adminConnection).isInstanceOf(SQLException.class);
            db.start();
            assertThat(count(db)).isEqualTo(1);
        }
    }

    @Test
    void rejectsBadServerVariableNames() {
        assertThatThrownBy(() -> EmbeddedMariaDb.builder().serverVariable("x; DROP", 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EmbeddedMariaDb.builder().port(70000)).isInstanceOf(IllegalArgumentException.class);
    }

    private static String globalVariable(EmbeddedMariaDb db, String name) throws SQLException {
        try (Connection c = db.adminConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT @@GLOBAL." + name)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static int count(EmbeddedMariaDb db) throws SQLException {
        try (Connection c = db.adminConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM kept")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
