package io.github.linkguard.testkit;

import java.util.Objects;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension that hands tests a real MariaDB: {@code @ExtendWith(MariaDbExtension.class)} injects
 * the JVM's {@linkplain EmbeddedMariaDb#shared() shared server} into any {@link EmbeddedMariaDb}
 * parameter; a static {@code @RegisterExtension} field made by {@link #dedicated} starts a server of the
 * test class's own before its first test and deletes it after its last.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final MariaDbExtension db = MariaDbExtension.dedicated(
 *         EmbeddedMariaDb.builder().serverVariable("connect_timeout", 2));
 * }</pre>
 */
public final class MariaDbExtension implements BeforeAllCallback, AfterAllCallback, ParameterResolver {

    private final EmbeddedMariaDb.Builder dedicated;
    private EmbeddedMariaDb server;

    /** The extension of the shared server, for {@code @ExtendWith}. */
    public MariaDbExtension() {
        this.dedicated = null;
    }

    private MariaDbExtension(EmbeddedMariaDb.Builder dedicated) {
        this.dedicated = Objects.requireNonNull(dedicated, "builder");
    }

    /** An extension that starts a server of its own from {@code builder}, for {@code @RegisterExtension}. */
    public static MariaDbExtension dedicated(EmbeddedMariaDb.Builder builder) {
        return new MariaDbExtension(builder);
    }

    /** The server of this extension (started by then: use it from tests and {@code @BeforeAll}). */
    public EmbeddedMariaDb server() {
        if (dedicated == null) {
            return EmbeddedMariaDb.shared();
        }
        if (server == null) {
            throw new IllegalStateException("a dedicated server starts before all tests: register the extension "
                    + "on a static field");
        }
        return server;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        if (dedicated != null && server == null) {
            server = dedicated.start();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == EmbeddedMariaDb.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return server();
    }
}
