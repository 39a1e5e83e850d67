package ai.mule.gateway.security;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.UUID;

/**
 * An API key as the API shows it: never the key itself, except {@code key} in the answer that created it (the
 * only time it is known; only its hash is stored).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ApiKey(UUID id, String name, String prefix, Instant createdAt, Instant revokedAt, String key) {
}
