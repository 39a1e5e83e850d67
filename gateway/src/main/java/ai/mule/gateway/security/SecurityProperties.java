package ai.mule.gateway.security;

import java.util.Arrays;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * @param apiKeys  {@code MULE_API_KEYS}: comma-separated API keys accepted as {@code Authorization: Bearer <key>},
 *                 for deployments that manage keys outside Mule (a secret store); kept only as hashes in memory
 * @param adminKey {@code MULE_ADMIN_KEY}: the key that may create and revoke API keys at {@code /api/v1/api-keys}
 *                 (and use every other endpoint)
 */
@Validated
@ConfigurationProperties("mule.security")
public record SecurityProperties(String apiKeys, String adminKey) {

    List<String> staticKeys() {
        if (apiKeys == null || apiKeys.isBlank()) {
            return List.of();
        }
        return Arrays.stream(apiKeys.split(",")).map(String::trim).filter(k -> !k.isEmpty()).toList();
    }

    boolean hasAdminKey() {
        return adminKey != null && !adminKey.isBlank();
    }

    /** Keys from the environment: with any of them the gateway always asks for a key. */
    boolean hasEnvironmentKeys() {
        return hasAdminKey() || !staticKeys().isEmpty();
    }

    @Override
    public String toString() {
        return "SecurityProperties[apiKeys=" + staticKeys().size() + " keys, adminKey=" + (hasAdminKey() ? "set" : "unset") + "]";
    }
}
