package ai.mule.runner.agent.execution;

import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One langchain4j client per provider, model, base URL and API key, kept between steps: each holds an
 * HTTP client whose connections (and TLS sessions) are worth reusing. The key is part of the identity, so
 * a rotated key gets a new client; the least recently used clients are dropped past {@code maxSize}.
 */
public class ChatModels {

    private final Duration timeout;
    private final Map<Key, ChatModel> models;

    public ChatModels(Duration timeout, int maxSize) {
        this.timeout = timeout;
        this.models = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, ChatModel> eldest) {
                return size() > maxSize;
            }
        };
    }

    /** The provider call timeout (connect and reply) every client is built with. */
    public Duration timeout() {
        return timeout;
    }

    /** A client for this endpoint and model; {@code apiKey} may be null for a provider that needs none. */
    public synchronized ChatModel get(String providerId, String baseUrl, String model, String apiKey) {
        return models.computeIfAbsent(new Key(providerId, baseUrl, model, apiKey), this::build);
    }

    synchronized int size() {
        return models.size();
    }

    private ChatModel build(Key key) {
        return OpenAiChatModel.builder()
                .baseUrl(key.baseUrl())
                .apiKey(key.apiKey())
                .modelName(key.model())
                .timeout(timeout)
                // one attempt per step command: retries and their backoff belong to the orchestrator,
                // which counts attempts and can give up; hidden retries here would multiply them
                .maxRetries(0)
                .build();
    }

    private record Key(String providerId, String baseUrl, String model, String apiKey) {
        @Override
        public String toString() {
            // never print the key
            return "Key[provider=" + providerId + ", baseUrl=" + baseUrl + ", model=" + model + "]";
        }
    }
}
