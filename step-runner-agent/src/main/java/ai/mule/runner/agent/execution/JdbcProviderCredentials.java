package ai.mule.runner.agent.execution;

import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Reads {@code providers.api_key} from PostgreSQL, the system of record, on every step. A lookup costs
 * about a millisecond against a provider call of seconds, and a key changed in the dashboard applies to
 * the next step without a restart.
 */
public class JdbcProviderCredentials implements ProviderCredentials {

    private final JdbcClient jdbc;

    public JdbcProviderCredentials(JdbcClient jdbc) {
        this.jdbc = jdbc;
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
        return keys.get(0);
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
