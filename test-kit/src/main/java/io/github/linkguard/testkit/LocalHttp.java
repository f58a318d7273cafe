package io.github.linkguard.testkit;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The HTTP calls of a test's clients against an application on this machine, for tests that break the
 * application's database under load: a call never throws (no answer is {@code null}), and a write's answer is
 * read as what it says of the write's outcome, by the SQLState the application put in its error body.
 */
public final class LocalHttp {

    /** What a write's answer says happened to it. */
    public enum Written {
        /** Acknowledged: the answer is the status for success and names the request. */
        ACKNOWLEDGED,
        /** Rolled back, nothing happened (409 naming SQLState 40001): safe to send again. */
        ROLLED_BACK,
        /** Unknown (503 naming SQLState 08007): the link was lost after COMMIT was sent. */
        UNKNOWN,
        /** Anything else: a failure the application should not have had. */
        FAILED
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final int port;

    /** Calls {@code http://localhost:port}. */
    public LocalHttp(int port) {
        this.port = port;
    }

    /** GETs {@code path}; null if no answer came within a minute. */
    public HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    /** POSTs to {@code pathAndQuery} with no body; null if no answer came within a minute. */
    public HttpResponse<String> post(String pathAndQuery) {
        return send(HttpRequest.newBuilder(uri(pathAndQuery)).POST(HttpRequest.BodyPublishers.noBody()));
    }

    /** What {@code response} to the write {@code requestId} says of it, success being {@code okStatus}. */
    public static Written written(HttpResponse<String> response, int okStatus, String requestId) {
        if (response == null) {
            return Written.FAILED;
        }
        if (response.statusCode() == okStatus && response.body().contains(requestId)) {
            return Written.ACKNOWLEDGED;
        }
        if (response.statusCode() == 409 && response.body().contains("\"40001\"")) {
            return Written.ROLLED_BACK;
        }
        if (response.statusCode() == 503 && response.body().contains("08007")) {
            return Written.UNKNOWN;
        }
        return Written.FAILED;
    }

    /** The answer for a test's message: its status and the start of its body, or "no response". */
    public static String describe(HttpResponse<String> response) {
        if (response == null) {
            return "no response";
        }
        String body = response.body();
        return response.statusCode() + " '" + (body.length() > 300 ? body.substring(0, 300) + "..." : body) + "'";
    }

    private URI uri(String path) {
        return URI.create("http://localhost:" + port + path);
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return http.send(request.timeout(Duration.ofMinutes(1)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
