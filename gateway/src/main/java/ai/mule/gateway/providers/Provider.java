package ai.mule.gateway.providers;

import java.time.Instant;
import java.util.UUID;

/**
 * An AI provider endpoint as the API shows it. The key itself is never returned: {@code api_key} is a fixed
 * mask when a key is stored and empty when none is (local model servers need none).
 */
public record Provider(UUID id, String name, String kind, String apiBaseUrl, String apiKey, Instant createdAt,
                       Instant updatedAt) {

    static final String MASK = "********";
    static final String DEFAULT_KIND = "openai";

    static String mask(String storedKey) {
        return storedKey == null || storedKey.isEmpty() ? "" : MASK;
    }
}
