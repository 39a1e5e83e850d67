package ai.mule.runner.agent.execution;

import java.util.Optional;

/**
 * Where a provider's API key comes from. Step commands carry the provider's id, never its key: secrets
 * do not travel in Kafka.
 */
@FunctionalInterface
public interface ProviderCredentials {

    /**
     * The API key of this provider, or empty if it has none (a local server that needs no key).
     *
     * @throws UnknownProviderException if no provider has this id
     */
    Optional<String> apiKey(String providerId);
}
