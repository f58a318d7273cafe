package io.github.linkguard.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.linkguard.testkit.FaultProxy.Direction;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(MariaDbExtension.class)
@Timeout(30)
class FaultProxyTest {

    private static ServerSocket echo;

    @BeforeAll
    static void startEchoServer() throws IOException {
        echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(() -> {
            while (!echo.isClosed()) {
                try {
                    Socket socket = echo.accept();
                    Thread pump = new Thread(() -> {
                        try (socket) {
                            socket.getInputStream().transferTo(socket.getOutputStream());
                        } catch (IOException e) {
                            // peer gone
                        }
                    });
                    pump.setDaemon(true);
                    pump.start();
                } catch (IOException e) {
                    return;
                }
            }
        });
        acceptor.setDaemon(true);
        acceptor.start();
    }

    @AfterAll
    static void stopEchoServer() throws IOException {
        echo.close();
    }

    @Test
    void forwardsBothWays() throws IOException {
        try (FaultProxy proxy = FaultProxy.start("127.0.0.1", echo.getLocalPort());
                Socket socket = new Socket(proxy.host(), proxy.port())) {
            socket.getOutputStream().write("hello".getBytes());
            assertThat(socket.getInputStream().readNBytes(5)).isEqualTo("hello".getBytes());
            assertThat(proxy.openLinks()).isEqualTo(1);
        }
    }

    @Test
    void cutsALinkAfterExactlyNBytes() throws IOException {
        try (FaultProxy proxy = FaultProxy.start("127.0.0.1", echo.getLocalPort());
                Socket socket = new Socket(proxy.host(), proxy.port())) {
            proxy.cutAfter(Direction.SERVER_TO_CLIENT, 3);
            socket.getOutputStream().write("hello".getBytes());
            InputStream in = socket.getInputStream();
            assertThat(in.readNBytes(3)).isEqualTo("hel".getBytes());
            assertThat(in.read()).isEqualTo(-1);
        }
    }

    @Test
    void cutsTheLinksOpenNowAtTheirNextBytesAndLeavesNewLinksAlone() throws IOException {
        try (FaultProxy proxy = FaultProxy.start("127.0.0.1", echo.getLocalPort());
                Socket open = new Socket(proxy.host(), proxy.port())) {
            open.getOutputStream().write("ping".getBytes());
            assertThat(open.getInputStream().readNBytes(4)).isEqualTo("ping".getBytes());
            proxy.cutOpenLinksAtNext(Direction.SERVER_TO_CLIENT);
            open.getOutputStream().write("lost".getBytes()); // reaches the echo server; its answer is cut
            assertThat(open.getInputStream().read()).isEqualTo(-1);
            try (Socket later = new Socket(proxy.host(), proxy.port())) {
                later.getOutputStream().write("kept".getBytes());
                assertThat(later.getInputStream().readNBytes(4)).isEqualTo("kept".getBytes());
            }
        }
    }

    @Test
    void blackholesALinkAfterNBytesButKeepsItOpen() throws IOException {
        try (FaultProxy proxy = FaultProxy.start("127.0.0.1", echo.getLocalPort());
                Socket socket = new Socket(proxy.host(), proxy.port())) {
            proxy.blackholeAfter(Direction.SERVER_TO_CLIENT, 3);
            socket.setSoTimeout(500);
            socket.getOutputStream().write("hello".getBytes());
            InputStream in = socket.getInputStream();
            assertThat(in.readNBytes(3)).isEqualTo("hel".getBytes());
            assertThatThrownBy(in::read).isInstanceOf(SocketTimeoutException.class);
            assertThat(proxy.openLinks()).isEqualTo(1);
        }
    }

    @Test
    void delaysOneDirection() throws IOException {
        try (FaultProxy proxy = FaultProxy.start("127.0.0.1", echo.getLocalPort());
                Socket socket = new Socket(proxy.host(), proxy.port())) {
            proxy.delay(Direction.SERVER_TO_CLIENT, Duration.ofMillis(400));
            long start = System.nanoTime();
            socket.getOutputStream().write(1);
            assertThat(socket.getInputStream().read()).isEqualTo(1);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(400));
        }
    }

    @Test
    void refusesAndAcceptsAgainOnTheSamePort() throws IOException {
        try (FaultProxy proxy = FaultProxy.start("127.0.0.1", echo.getLocalPort())) {
            proxy.refuse(true);
            assertThatThrownBy(() -> new Socket(proxy.host(), proxy.port()).close()).isInstanceOf(ConnectException.class);
            proxy.refuse(false);
            try (Socket socket = new Socket(proxy.host(), proxy.port())) {
                socket.getOutputStream().write(7);
                assertThat(socket.getInputStream().read()).isEqualTo(7);
            }
        }
    }

    @Test
    void blackholeAcceptsButForwardsNothing() throws IOException {
        try (FaultProxy proxy = FaultProxy.start("127.0.0.1", echo.getLocalPort());
                Socket socket = new Socket(proxy.host(), proxy.port())) {
            proxy.blackhole(true);
            socket.setSoTimeout(300);
            socket.getOutputStream().write(1);
            assertThatThrownBy(() -> socket.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
            try (Socket held = new Socket(proxy.host(), proxy.port())) {
                held.setSoTimeout(300);
                held.getOutputStream().write(2);
                assertThatThrownBy(() -> held.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
            }
        }
    }

    @Test
    void dropAllBreaksARealMariaDbLink(EmbeddedMariaDb db) throws SQLException {
        try (FaultProxy proxy = FaultProxy.start(db.host(), db.port());
                Connection connection = DriverManager.getConnection(
                        EmbeddedMariaDb.jdbcUrl(proxy.host(), proxy.port()), db.user(), db.password());
                Statement statement = connection.createStatement()) {
            statement.execute("SELECT 1");
            proxy.dropAll();
            assertThatThrownBy(() -> statement.execute("SELECT 1"))
                    .isInstanceOf(SQLRecoverableException.class)
                    .hasMessageContaining("Communications link failure");
        }
    }

    @Test
    void dropClientSidesBreaksTheClientWhileTheServersSessionLivesOnUntilDropAll(EmbeddedMariaDb db)
            throws SQLException, InterruptedException {
        try (FaultProxy proxy = FaultProxy.start(db.host(), db.port());
                Connection connection = DriverManager.getConnection(
                        EmbeddedMariaDb.jdbcUrl(proxy.host(), proxy.port()), db.user(), db.password());
                Statement statement = connection.createStatement();
                Connection admin = db.adminConnection();
                Statement processes = admin.createStatement()) {
            long session;
            try (var id = statement.executeQuery("SELECT CONNECTION_ID()")) {
                id.next();
                session = id.getLong(1);
            }
            proxy.dropClientSides();
            assertThatThrownBy(() -> statement.execute("SELECT 1")).isInstanceOf(SQLRecoverableException.class);
            assertThat(sessions(processes, session)).isEqualTo(1);

            proxy.dropAll();
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (sessions(processes, session) > 0 && System.nanoTime() < deadline) {
                Thread.sleep(20); // the server ends the session once it reads the reset
            }
            assertThat(sessions(processes, session)).isZero();
        }
    }

    private static long sessions(Statement statement, long id) throws SQLException {
        try (var count = statement.executeQuery("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID = " + id)) {
            count.next();
            return count.getLong(1);
        }
    }

    @Test
    void blackholedHandshakeTimesOutOnlyWithASocketTimeout(EmbeddedMariaDb db) {
        try (FaultProxy proxy = FaultProxy.start(db.host(), db.port())) {
            proxy.blackhole(true);
            Properties properties = new Properties();
            properties.setProperty("user", db.user());
            properties.setProperty("password", db.password());
            properties.setProperty("socketTimeout", "1000");
            long start = System.nanoTime();
            assertThatThrownBy(() -> DriverManager.getConnection(
                    EmbeddedMariaDb.jdbcUrl(proxy.host(), proxy.port()), properties).close())
                    .isInstanceOf(SQLException.class)
                    .hasRootCauseInstanceOf(SocketTimeoutException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(900));
        }
    }

    @Test
    void rejectsBadArguments() {
        assertThatThrownBy(() -> FaultProxy.start("127.0.0.1", 0)).isInstanceOf(IllegalArgumentException.class);
        try (FaultProxy proxy = FaultProxy.start("127.0.0.1", echo.getLocalPort())) {
            assertThatThrownBy(() -> proxy.cutAfter(Direction.CLIENT_TO_SERVER, -1))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> proxy.delay(Direction.CLIENT_TO_SERVER, Duration.ofMillis(-1)))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }
}
