package ai.mule.gateway.secrets;

import ai.mule.gateway.web.ApiException;
import ai.mule.schemas.SecretBox;
import java.util.Optional;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/** Seals provider API keys before they are stored; opens them only to call the provider (its model list). */
@Component
public class ProviderSecrets {

    private final Optional<SecretBox> box;

    ProviderSecrets(SecretsProperties properties) {
        String key = properties.masterKey();
        // a malformed key fails start-up here, with the message saying how to make a good one
        this.box = key == null || key.isBlank() ? Optional.empty() : Optional.of(SecretBox.fromBase64(key));
    }

    /** The value to store for this provider's key: sealed, or null when there is no key. */
    public String seal(String apiKey, UUID providerId) {
        if (apiKey == null || apiKey.isEmpty()) {
            return null;
        }
        SecretBox sealer = box.orElseThrow(() -> new ApiException(HttpStatus.UNPROCESSABLE_ENTITY, "this gateway cannot "
                + "store provider API keys: they are kept encrypted and no master key is set; start the gateway and the "
                + "agent runner with MULE_MASTER_KEY=$(openssl rand -base64 32) (./mule up does this for you)"));
        return sealer.seal(apiKey, providerId.toString());
    }

    /** Opens a stored key (to ask the provider for its models); a key stored before encryption is returned as is. */
    public String open(String stored, UUID providerId) {
        if (stored == null || stored.isEmpty() || !SecretBox.isSealed(stored)) {
            return stored;
        }
        return box.orElseThrow(() -> new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "the provider's API key is "
                + "encrypted and this gateway has no MULE_MASTER_KEY to open it")).open(stored, providerId.toString());
    }

    public boolean enabled() {
        return box.isPresent();
    }
}
