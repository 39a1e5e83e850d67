package ai.mule.runner.agent.execution;

import ai.mule.schemas.AgentStep;
import dev.langchain4j.model.anthropic.AnthropicChatModel;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.googleai.GoogleAiGeminiChatModel;
import dev.langchain4j.model.ollama.OllamaChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One langchain4j client per provider kind, model, base URL, API key and call timeout, kept between steps: each holds
 * an HTTP client whose connections (and TLS sessions) are worth reusing. The key is part of the identity, so a
 * rotated key gets a new client; the least recently used clients are dropped past {@code maxSize}.
 *
 * <p>Kinds: {@code openai} (any OpenAI-compatible server: OpenAI, OpenRouter, vLLM, LM Studio, llama.cpp), {@code
 * ollama} (its native API), {@code anthropic}, {@code gemini} (Google AI).
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

    /** The longest a provider call may take (connect and reply); a step's own timeout can only shorten it. */
    public Duration timeout() {
        return timeout;
    }

    /** An OpenAI-compatible client with the runner's timeout; {@code apiKey} may be null for a provider that needs none. */
    public ChatModel get(String providerId, String baseUrl, String model, String apiKey) {
        return get(AgentStep.KIND_OPENAI, providerId, baseUrl, model, apiKey, timeout);
    }

    /** A client for this kind of provider, endpoint and model, whose calls give up after {@code callTimeout}. */
    public synchronized ChatModel get(String kind, String providerId, String baseUrl, String model, String apiKey,
                                      Duration callTimeout) {
        return models.computeIfAbsent(new Key(kind, providerId, baseUrl, model, apiKey, callTimeout), this::build);
    }

    synchronized int size() {
        return models.size();
    }

    // one attempt per call: retries and their backoff belong to the orchestrator, which counts attempts and can give
    // up; hidden retries here would multiply them
    private ChatModel build(Key key) {
        switch (key.kind()) {
            case "ollama":
                return OllamaChatModel.builder().maxRetries(0).baseUrl(key.baseUrl()).modelName(key.model())
                        .timeout(key.timeout()).build();
            case "anthropic":
                return AnthropicChatModel.builder().baseUrl(key.baseUrl()).apiKey(requireKey(key)).modelName(key.model())
                        .timeout(key.timeout()).maxRetries(0).build();
            case "gemini":
                return GoogleAiGeminiChatModel.builder().maxRetries(0).baseUrl(key.baseUrl()).apiKey(requireKey(key))
                        .modelName(key.model()).timeout(key.timeout()).build();
            case AgentStep.KIND_OPENAI:
                return OpenAiChatModel.builder().baseUrl(key.baseUrl()).apiKey(key.apiKey()).modelName(key.model())
                        .timeout(key.timeout()).maxRetries(0).build();
            default:
                throw new AgentStepFailure("unknown provider kind '" + key.kind() + "'; use openai, ollama, anthropic or gemini");
        }
    }

    private static String requireKey(Key key) {
        if (key.apiKey() == null || key.apiKey().isBlank()) {
            throw new AgentStepFailure(ai.mule.schemas.FailureKind.PROVIDER_REJECTED, "the " + key.kind()
                    + " provider " + key.providerId() + " has no API key; set one in the provider");
        }
        return key.apiKey();
    }

    private record Key(String kind, String providerId, String baseUrl, String model, String apiKey, Duration timeout) {
        @Override
        public String toString() {
            // never print the key
            return "Key[" + kind + ", provider=" + providerId + ", baseUrl=" + baseUrl + ", model=" + model + "]";
        }
    }
}
