package ai.mule.runner.agent.execution;

import ai.mule.schemas.SecretBox;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Reads {@code providers.api_key} from PostgreSQL, the system of record, on every step, and opens it with the
 * master key ({@code MULE_MASTER_KEY}): the gateway stores keys sealed with AES-GCM ({@link SecretBox}). A key
 * stored before encryption was introduced (no {@code enc:v1:} prefix) is used as it is. A lookup costs
 * about a millisecond against a provider call of seconds, and a key changed in the dashboard applies to
 * the next step without a restart.
 */
public class JdbcProviderCredentials implements ProviderCredentials {

    private final JdbcClient jdbc;
    private final Optional<SecretBox> box;

    /** @param masterKey base64 of 32 bytes, or null/blank when none is configured (then sealed keys cannot be used) */
    public JdbcProviderCredentials(JdbcClient jdbc, String masterKey) {
        this.jdbc = jdbc;
        this.box = masterKey == null || masterKey.isBlank() ? Optional.empty() : Optional.of(SecretBox.fromBase64(masterKey));
    }

    public JdbcProviderCredentials(JdbcClient jdbc) {
        this(jdbc, null);
    }

    @Override
    public Optional<String> apiKey(String providerId) {
        UUID id = parseId(providerId);
        // a list rather than an Optional of a row: the row may exist with a NULL key
        List<Optional<String>> keys = jdbc.sql("SELECT api_key FROM providers WHERE id = ?")
                .param(id)
                .query((rs, row) -> Optional.ofNullable(rs.getString("api_key")).filter(key -> !key.isBlank()))
                .list();
        if (keys.isEmpty()) {
            throw new UnknownProviderException(providerId);
        }
        return keys.get(0).map(stored -> open(stored, id));
    }

    private String open(String stored, UUID providerId) {
        if (!SecretBox.isSealed(stored)) {
            return stored;
        }
        // the messages name the configuration, never the key
        SecretBox opener = box.orElseThrow(() -> new IllegalStateException("provider " + providerId + "'s API key is "
                + "encrypted and this runner has no MULE_MASTER_KEY (it must be the gateway's)"));
        return opener.open(stored, providerId.toString());
    }

    private static UUID parseId(String providerId) {
        if (providerId == null) {
            throw new UnknownProviderException("(none)");
        }
        try {
            return UUID.fromString(providerId);
        } catch (IllegalArgumentException e) {
            // provider ids are UUIDs, so no provider can have this one
            throw new UnknownProviderException(providerId);
        }
    }
}
