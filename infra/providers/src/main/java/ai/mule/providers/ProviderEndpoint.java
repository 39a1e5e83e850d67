package ai.mule.providers;

/**
 * Where a provider is and how to talk to it. {@code apiKey} is null for a provider that needs none (Ollama, a
 * local server); it is never printed.
 */
public record ProviderEndpoint(ProviderKind kind, String baseUrl, String apiKey) {

    @Override
    public String toString() {
        return "ProviderEndpoint[" + kind.wire() + " " + baseUrl + "]";
    }
}
