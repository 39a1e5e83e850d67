package ai.mule.providers;

import ai.mule.netgate.NetworkGate;
import ai.mule.schemas.FailureKind;
import dev.langchain4j.http.client.HttpClientBuilder;
import dev.langchain4j.model.anthropic.AnthropicChatModel;
import dev.langchain4j.model.anthropic.AnthropicStreamingChatModel;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.googleai.GoogleAiGeminiChatModel;
import dev.langchain4j.model.googleai.GoogleAiGeminiStreamingChatModel;
import dev.langchain4j.model.ollama.OllamaChatModel;
import dev.langchain4j.model.ollama.OllamaStreamingChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * langchain4j clients per provider kind, endpoint, key, model and timeout, kept between calls: each holds an HTTP
 * client whose connections (and TLS sessions) are worth reusing. The key is part of a client's identity, so a
 * rotated key gets a new client; the least recently used clients are dropped past {@code maxSize}.
 *
 * <p>Every client makes one attempt per call: the orchestrator retries steps (it counts attempts and can give up),
 * a direct caller sends the request again; hidden retries here would multiply both.
 *
 * <p>With a {@link NetworkGate}, the clients that answer whole replies make their calls through it
 * ({@link GatedHttpClient}): the provider's address is checked at each call and the connection goes to the address
 * checked. Streaming clients keep langchain4j's own HTTP client.
 */
public final class ProviderClients {

    private final Map<Key, Object> clients;
    private final NetworkGate gate;

    /** Clients on langchain4j's own HTTP client (no address checks). */
    public ProviderClients(int maxSize) {
        this(maxSize, null);
    }

    /** Clients whose whole-answer calls go through {@code gate}. */
    public ProviderClients(int maxSize, NetworkGate gate) {
        this.gate = gate;
        this.clients = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, Object> eldest) {
                return size() > maxSize;
            }
        };
    }

    /** A client that answers whole replies; its calls give up after {@code timeout}. */
    public synchronized ChatModel chat(ProviderEndpoint endpoint, String model, Duration timeout) {
        return (ChatModel) clients.computeIfAbsent(new Key(endpoint, model, timeout, false), this::chat);
    }

    /** A client that streams replies token by token. */
    public synchronized StreamingChatModel streaming(ProviderEndpoint endpoint, String model, Duration timeout) {
        return (StreamingChatModel) clients.computeIfAbsent(new Key(endpoint, model, timeout, true),
                ProviderClients::streaming);
    }

    /** How many clients are kept. */
    public synchronized int size() {
        return clients.size();
    }

    private ChatModel chat(Key key) {
        ProviderEndpoint at = key.endpoint();
        HttpClientBuilder http = gate == null ? null : new GatedHttpClient.Builder(gate);
        switch (at.kind()) {
            case OLLAMA:
                return OllamaChatModel.builder().maxRetries(0).baseUrl(at.baseUrl()).modelName(key.model())
                        .httpClientBuilder(http).timeout(key.timeout()).build();
            case ANTHROPIC:
                return AnthropicChatModel.builder().baseUrl(at.baseUrl()).apiKey(requireKey(at)).modelName(key.model())
                        .httpClientBuilder(http).timeout(key.timeout()).maxRetries(0).build();
            case GEMINI:
                return GoogleAiGeminiChatModel.builder().maxRetries(0).baseUrl(at.baseUrl()).apiKey(requireKey(at))
                        .httpClientBuilder(http).modelName(key.model()).timeout(key.timeout()).build();
            default:
                return OpenAiChatModel.builder().baseUrl(at.baseUrl()).apiKey(at.apiKey()).modelName(key.model())
                        .httpClientBuilder(http).timeout(key.timeout()).maxRetries(0).build();
        }
    }

    private static StreamingChatModel streaming(Key key) {
        ProviderEndpoint at = key.endpoint();
        switch (at.kind()) {
            case OLLAMA:
                return OllamaStreamingChatModel.builder().baseUrl(at.baseUrl()).modelName(key.model())
                        .timeout(key.timeout()).build();
            case ANTHROPIC:
                return AnthropicStreamingChatModel.builder().baseUrl(at.baseUrl()).apiKey(requireKey(at))
                        .modelName(key.model()).timeout(key.timeout()).build();
            case GEMINI:
                return GoogleAiGeminiStreamingChatModel.builder().baseUrl(at.baseUrl()).apiKey(requireKey(at))
                        .modelName(key.model()).timeout(key.timeout()).build();
            default:
                return OpenAiStreamingChatModel.builder().baseUrl(at.baseUrl()).apiKey(at.apiKey())
                        .modelName(key.model()).timeout(key.timeout()).build();
        }
    }

    private static String requireKey(ProviderEndpoint endpoint) {
        if (endpoint.apiKey() == null || endpoint.apiKey().isBlank()) {
            throw new ProviderFailure(FailureKind.PROVIDER_REJECTED, "the " + endpoint.kind().wire()
                    + " provider at " + endpoint.baseUrl() + " has no API key; set one in the provider "
                    + "(PUT /api/v1/providers/{id})");
        }
        return endpoint.apiKey();
    }

    private record Key(ProviderEndpoint endpoint, String model, Duration timeout, boolean streaming) {
        @Override
        public String toString() {
            return "Key[" + endpoint + " " + model + " " + timeout + (streaming ? " streaming" : "") + "]";
        }
    }
}
