package ai.mule.netgate;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What came back: the status, the headers (names in lower case), and the body up to the request's bound;
 * {@code truncated} when the server had more, which was not read.
 */
public record GatedResponse(int status, Map<String, List<String>> headers, byte[] body, boolean truncated) {

    public Optional<String> header(String name) {
        List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }

    /** The body as UTF-8 text (a cut in the middle of a character becomes U+FFFD). */
    public String text() {
        return new String(body, StandardCharsets.UTF_8);
    }
}
