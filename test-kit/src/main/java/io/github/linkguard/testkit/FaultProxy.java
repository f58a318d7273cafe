package io.github.linkguard.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A TCP proxy between a client and a server that breaks links on command, the way networks, firewalls
 * and servers do: {@linkplain #dropAll() drop} every link, {@linkplain #refuse(boolean) refuse} new
 * ones, {@linkplain #blackhole(boolean) blackhole} traffic, {@linkplain #delay(Direction, Duration)
 * delay} one direction, or {@linkplain #cutAfter(Direction, long) cut} links after some bytes.
 *
 * <pre>{@code
 * try (FaultProxy proxy = FaultProxy.start(db.host(), db.port())) {
 *     String url = EmbeddedMariaDb.jdbcUrl(proxy.host(), proxy.port());
 *     ...
 *     proxy.dropAll();
 * }
 * }</pre>
 *
 * <p>Each link uses two daemon threads: the proxy is meant for tests with a handful of connections.
 */
public final class FaultProxy implements AutoCloseable {

    /** Which way bytes flow through a link. */
    public enum Direction {
        /** From the client (the application) to the server. */
        CLIENT_TO_SERVER,
        /** From the server to the client. */
        SERVER_TO_CLIENT
    }

    private static final int BUFFER_SIZE = 16 * 1024;
    private static final int UPSTREAM_CONNECT_TIMEOUT_MS = 5_000;
    private static final long NO_CUT = Long.MAX_VALUE;

    private volatile InetSocketAddress upstream;
    private final int port;
    private final Set<Link> links = ConcurrentHashMap.newKeySet();
    private final Set<Socket> heldClients = ConcurrentHashMap.newKeySet();
    /** Server sides kept open and silent by {@link #dropClientSides()}. */
    private final Set<Socket> forgottenServerSides = ConcurrentHashMap.newKeySet();
    private final AtomicLongArray delayNanos = new AtomicLongArray(2);
    private final AtomicLongArray cutAfterBytes = new AtomicLongArray(new long[] {NO_CUT, NO_CUT});
    private final AtomicLongArray blackholeAfterBytes = new AtomicLongArray(new long[] {NO_CUT, NO_CUT});
    private final AtomicLong cuts = new AtomicLong();
    private volatile boolean blackhole;
    private volatile boolean closed;
    private ServerSocket listener;
    /** The thread accepting on {@link #listener}. */
    private Thread acceptor;

    private FaultProxy(String upstreamHost, int upstreamPort) {
        this.upstream = new InetSocketAddress(upstreamHost, upstreamPort);
        this.listener = listen(0);
        this.port = listener.getLocalPort();
        this.acceptor = startAcceptor(listener);
    }

    /** Starts a proxy on a free loopback port that forwards to {@code host:port}. */
    public static FaultProxy start(String host, int port) {
        Objects.requireNonNull(host, "host");
        if (port <= 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 1..65535, was " + port);
        }
        return new FaultProxy(host, port);
    }

    /** The host clients connect to. */
    public String host() {
        return "127.0.0.1";
    }

    /** The port clients connect to; it stays the same while the proxy refuses links. */
    public int port() {
        return port;
    }

    /** How many client links are open (forwarded or held in the blackhole). */
    public int openLinks() {
        return links.size() + heldClients.size();
    }

    /** How many links {@link #cutAfter} and {@link #cutOpenLinksAtNext} have cut so far. */
    public long cuts() {
        return cuts.get();
    }

    /** Breaks every open link now with a TCP reset on both sides. New links are still accepted. */
    public void dropAll() {
        links.forEach(Link::abort);
        heldClients.forEach(FaultProxy::abort);
        heldClients.clear();
        forgottenServerSides.forEach(FaultProxy::abort);
        forgottenServerSides.clear();
    }

    /**
     * Breaks every open link on the client's side only (a TCP reset), and keeps the server's side open and
     * silent, as when a NAT or firewall forgets a connection: the client sees a broken link, while the
     * server's session lives on (with its locks) until the server's own timeouts end it, or
     * {@link #dropAll()} or {@link #close()}.
     */
    public void dropClientSides() {
        links.forEach(Link::forgetClient);
    }

    /**
     * While on, new links are refused (the listening socket is closed, as when nothing listens on the
     * port); open links are left alone. Off listens again on the same port.
     */
    public synchronized void refuse(boolean on) {
        if (on && listener != null) {
            closeQuietly(listener);
            listener = null;
            awaitEnd(acceptor); // the kernel keeps the listener (and completes handshakes) while accept() blocks
        } else if (!on && listener == null && !closed) {
            listener = listen(port);
            acceptor = startAcceptor(listener);
        }
    }

    /**
     * New links go to {@code host:port} from now on, as a virtual IP, a DNS name or a proxy that an orchestrator
     * moves to a promoted replica; open links stay where they are.
     */
    public void retarget(String host, int port) {
        upstream = new InetSocketAddress(host, port);
    }

    /**
     * While on, the proxy forwards nothing: new links are accepted but never reach the server, and
     * bytes on open links are swallowed, as on a dead network path. Off forwards again (swallowed bytes
     * stay lost; links accepted meanwhile stay dead).
     */
    public void blackhole(boolean on) {
        blackhole = on;
    }

    /** Holds every chunk flowing in {@code direction} for {@code delay} before forwarding it. */
    public void delay(Direction direction, Duration delay) {
        Objects.requireNonNull(direction, "direction");
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay must not be negative, was " + delay);
        }
        delayNanos.set(direction.ordinal(), delay.toNanos());
    }

    /**
     * Cuts each link (closed on both sides) once {@code bytes} more bytes have flowed in
     * {@code direction} on it, counting from now for open links and from the start for new ones.
     */
    public void cutAfter(Direction direction, long bytes) {
        Objects.requireNonNull(direction, "direction");
        if (bytes < 0) {
            throw new IllegalArgumentException("bytes must not be negative, was " + bytes);
        }
        cutAfterBytes.set(direction.ordinal(), bytes);
        links.forEach(link -> link.counted[direction.ordinal()].set(0));
    }

    /**
     * Cuts each link open now (closed on both sides) when its next bytes flow in {@code direction}, without
     * forwarding them; links opened later are left alone. Armed just before a statement is sent (a
     * Connector/J query interceptor can), it cuts at that statement: {@code CLIENT_TO_SERVER} loses the
     * statement on its way, {@code SERVER_TO_CLIENT} loses the answer of a statement the server ran.
     */
    public void cutOpenLinksAtNext(Direction direction) {
        Objects.requireNonNull(direction, "direction");
        links.forEach(link -> link.cutAtNext.set(direction.ordinal(), 1));
    }

    /**
     * Swallows everything flowing in {@code direction} on each link once {@code bytes} more bytes have
     * passed, counting from now for open links and from the start for new ones: a path that dies in the
     * middle of a transfer, while the link stays open.
     */
    public void blackholeAfter(Direction direction, long bytes) {
        Objects.requireNonNull(direction, "direction");
        if (bytes < 0) {
            throw new IllegalArgumentException("bytes must not be negative, was " + bytes);
        }
        blackholeAfterBytes.set(direction.ordinal(), bytes);
        links.forEach(link -> link.counted[direction.ordinal()].set(0));
    }

    /** Ends every fault: forwards normally again (open links that were cut or held stay broken). */
    public void heal() {
        blackhole = false;
        for (Direction direction : Direction.values()) {
            delayNanos.set(direction.ordinal(), 0);
            cutAfterBytes.set(direction.ordinal(), NO_CUT);
            blackholeAfterBytes.set(direction.ordinal(), NO_CUT);
        }
        refuse(false);
    }

    /** Stops listening and breaks every link. */
    @Override
    public synchronized void close() {
        closed = true;
        refuse(true);
        dropAll();
    }

    private ServerSocket listen(int onPort) {
        try {
            ServerSocket socket = new ServerSocket();
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), onPort));
            return socket;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on port " + onPort, e);
        }
    }

    private Thread startAcceptor(ServerSocket socket) {
        return daemon("faultproxy-" + port + "-accept", () -> {
            while (!socket.isClosed()) {
                try {
                    Socket client = socket.accept();
                    if (socket.isClosed()) {
                        abort(client); // accepted as the listener closed: refused links must not get through
                    } else {
                        accepted(client);
                    }
                } catch (IOException e) {
                    // the listener was closed by refuse(true) or close()
                }
            }
        });
    }

    private void accepted(Socket client) {
        if (blackhole) {
            heldClients.add(client);
            return;
        }
        Socket server = new Socket();
        try {
            server.connect(upstream, UPSTREAM_CONNECT_TIMEOUT_MS);
        } catch (IOException e) {
            abort(client);
            closeQuietly(server);
            return;
        }
        Link link = new Link(client, server);
        links.add(link);
        link.start();
    }

    private static Thread daemon(String name, Runnable task) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    /** Waits (at most 5 s) until {@code thread} has ended. */
    private static void awaitEnd(Thread thread) {
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void abort(Socket socket) {
        try {
            socket.setSoLinger(true, 0);
        } catch (SocketException e) {
            // already closed
        }
        closeQuietly(socket);
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // closing is best effort
        }
    }

    /** One client link and its server side, pumped by two threads. */
    private final class Link {
        private final Socket client;
        private final Socket server;
        private final AtomicLong[] counted = {new AtomicLong(), new AtomicLong()};
        /** Set by {@link #cutOpenLinksAtNext}: the next bytes in that direction end the link instead. */
        private final AtomicIntegerArray cutAtNext = new AtomicIntegerArray(2);
        /**
         * Set as the link is dropped or cut: a pump that still gets bytes (a socket closed while its reader
         * blocks is only closed once the reader wakes up) forwards nothing more.
         */
        private volatile boolean ended;

        Link(Socket client, Socket server) {
            this.client = client;
            this.server = server;
        }

        void start() {
            daemon("faultproxy-" + port + "-up", () -> pump(client, server, Direction.CLIENT_TO_SERVER));
            daemon("faultproxy-" + port + "-down", () -> pump(server, client, Direction.SERVER_TO_CLIENT));
        }

        void abort() {
            ended = true;
            links.remove(this);
            FaultProxy.abort(client);
            if (!forgottenServerSides.contains(server)) {
                FaultProxy.abort(server);
            }
        }

        void forgetClient() {
            forgottenServerSides.add(server);
            abort();
        }

        private void pump(Socket from, Socket to, Direction direction) {
            int way = direction.ordinal();
            byte[] buffer = new byte[BUFFER_SIZE];
            try {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                int read;
                while ((read = in.read(buffer)) >= 0) {
                    long readAt = System.nanoTime();
                    if (blackhole) {
                        continue;
                    }
                    if (ended) {
                        break;
                    }
                    if (cutAtNext.get(way) != 0) {
                        cuts.incrementAndGet();
                        break;
                    }
                    waitUntil(readAt + delayNanos.get(way));
                    long cut = cutAfterBytes.get(way);
                    long limit = Math.min(cut, blackholeAfterBytes.get(way));
                    int forward = (int) Math.min(read, Math.max(0, limit - counted[way].get()));
                    if (forward > 0) {
                        out.write(buffer, 0, forward);
                        out.flush();
                    }
                    if (counted[way].addAndGet(forward) >= cut) {
                        cuts.incrementAndGet();
                        break; // cut: the bytes up to the limit arrive, then the link ends
                    }
                }
                close(); // an orderly close (or a cut) is passed on as an orderly close
            } catch (IOException e) {
                abort(); // a reset, or the other pump or a fault closed the link
            }
        }

        private void close() {
            ended = true;
            links.remove(this);
            closeQuietly(client);
            if (!forgottenServerSides.contains(server)) {
                closeQuietly(server);
            }
        }

        private void waitUntil(long deadlineNanos) {
            long left;
            while ((left = deadlineNanos - System.nanoTime()) > 0) {
                try {
                    Thread.sleep(left / 1_000_000, (int) (left % 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
