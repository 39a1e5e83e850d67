package ai.mule.netgate;

import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One HTTP call through the {@link NetworkGate}.
 *
 * @param method       GET, POST, ...
 * @param uri          an http or https URL
 * @param headers      request headers; {@code Host}, {@code Content-Length}, {@code Connection} and
 *                     {@code Transfer-Encoding} are the gate's own and are ignored here
 * @param body         the request body, empty for none
 * @param timeout      the longest the whole call (connect, send, read) may take
 * @param maxBodyBytes the most of the response body read; past it the rest is never read
 */
public record GatedRequest(String method, URI uri, Map<String, String> headers, byte[] body, Duration timeout,
                           int maxBodyBytes) {

    public GatedRequest {
        headers = Map.copyOf(headers);
        body = body == null ? new byte[0] : body;
    }

    public static GatedRequest get(URI uri, Duration timeout, int maxBodyBytes) {
        return new GatedRequest("GET", uri, Map.of(), null, timeout, maxBodyBytes);
    }

    public GatedRequest withHeader(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(name, value);
        return new GatedRequest(method, uri, more, body, timeout, maxBodyBytes);
    }

    @Override
    public String toString() {
        // headers can hold keys: never printed
        return "GatedRequest[" + method + " " + uri + "]";
    }
}
