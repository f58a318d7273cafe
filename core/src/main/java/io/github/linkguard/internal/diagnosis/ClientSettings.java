package io.github.linkguard.internal.diagnosis;

import com.mysql.cj.conf.ConnectionUrl;
import com.mysql.cj.conf.PropertyKey;
import com.mysql.cj.conf.PropertySet;
import com.mysql.cj.jdbc.JdbcPropertySetImpl;
import java.util.Properties;

/**
 * The Connector/J settings a diagnosis names, read once from the DataSource's configuration (URL and
 * properties) with the driver's own parser and defaults. -1 means unknown: not Connector/J.
 *
 * @param socketTimeoutMillis {@code socketTimeout}, 0 = none
 * @param connectTimeoutMillis {@code connectTimeout}, 0 = none
 * @param netTimeoutForStreamingResults {@code netTimeoutForStreamingResults} in seconds, 0 = off
 * @param interactiveClient {@code interactiveClient}: the server then applies {@code interactive_timeout}, not
 *        {@code wait_timeout}, to idle sessions
 * @param tcpKeepAlive {@code tcpKeepAlive}: whether the operating system probes idle links
 */
public record ClientSettings(long socketTimeoutMillis, long connectTimeoutMillis, long netTimeoutForStreamingResults,
        boolean interactiveClient, boolean tcpKeepAlive) {

    /** Nothing known. */
    public static final ClientSettings UNKNOWN = new ClientSettings(-1, -1, -1);

    /** Settings of a client that is not interactive and keeps links alive (Connector/J's defaults). */
    public ClientSettings(long socketTimeoutMillis, long connectTimeoutMillis, long netTimeoutForStreamingResults) {
        this(socketTimeoutMillis, connectTimeoutMillis, netTimeoutForStreamingResults, false, true);
    }

    /** The settings of a Connector/J URL with extra {@code properties}; unknown for other URLs. */
    public static ClientSettings fromUrl(String url, Properties properties) {
        try {
            if (url == null || !ConnectionUrl.acceptsUrl(url)) {
                return UNKNOWN;
            }
            Properties all = ConnectionUrl.getConnectionUrlInstance(url, properties).getMainHost().exposeAsProperties();
            JdbcPropertySetImpl settings = new JdbcPropertySetImpl();
            settings.initializeProperties(all);
            return of(settings);
        } catch (RuntimeException | LinkageError e) {
            return UNKNOWN;
        }
    }

    /** The settings of a Connector/J property set, such as a {@code MysqlDataSource}. */
    public static ClientSettings of(PropertySet properties) {
        return new ClientSettings(
                properties.getIntegerProperty(PropertyKey.socketTimeout).getValue(),
                properties.getIntegerProperty(PropertyKey.connectTimeout).getValue(),
                properties.getIntegerProperty(PropertyKey.netTimeoutForStreamingResults).getValue(),
                properties.getBooleanProperty(PropertyKey.interactiveClient).getValue(),
                properties.getBooleanProperty(PropertyKey.tcpKeepAlive).getValue());
    }
}
