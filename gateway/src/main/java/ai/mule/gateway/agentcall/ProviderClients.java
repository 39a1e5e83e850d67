package ai.mule.gateway.agentcall;

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
import org.springframework.stereotype.Component;

/**
 * langchain4j clients per provider kind, kept between calls (each holds an HTTP client whose connections are worth
 * reusing). The key is part of a client's identity, so a rotated key gets a new client. Every client makes one
 * attempt: a caller who wants a retry sends the request again.
 */
@Component
public class ProviderClients {

    private final Duration timeout;
    private final Map<Key, Object> clients;

    ProviderClients(AgentCallProperties properties) {
        this.timeout = properties.timeout();
        int max = properties.clientCache();
        this.clients = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, Object> eldest) {
                return size() > max;
            }
        };
    }

    public Duration timeout() {
        return timeout;
    }

    public synchronized ChatModel chat(CallableAgent agent) {
        return (ChatModel) clients.computeIfAbsent(Key.of(agent, false), this::buildChat);
    }

    public synchronized StreamingChatModel streaming(CallableAgent agent) {
        return (StreamingChatModel) clients.computeIfAbsent(Key.of(agent, true), this::buildStreaming);
    }

    private ChatModel buildChat(Key key) {
        switch (key.kind()) {
            case "ollama":
                return OllamaChatModel.builder().maxRetries(0).baseUrl(key.baseUrl()).modelName(key.model())
                        .timeout(timeout).build();
            case "anthropic":
                return AnthropicChatModel.builder().baseUrl(key.baseUrl()).apiKey(requireKey(key)).modelName(key.model())
                        .timeout(timeout).maxRetries(0).build();
            case "gemini":
                return GoogleAiGeminiChatModel.builder().maxRetries(0).baseUrl(key.baseUrl()).apiKey(requireKey(key))
                        .modelName(key.model()).timeout(timeout).build();
            default:
                return OpenAiChatModel.builder().baseUrl(key.baseUrl()).apiKey(key.apiKey()).modelName(key.model())
                        .timeout(timeout).maxRetries(0).build();
        }
    }

    private StreamingChatModel buildStreaming(Key key) {
        switch (key.kind()) {
            case "ollama":
                return OllamaStreamingChatModel.builder().baseUrl(key.baseUrl()).modelName(key.model()).timeout(timeout)
                        .build();
            case "anthropic":
                return AnthropicStreamingChatModel.builder().baseUrl(key.baseUrl()).apiKey(requireKey(key))
                        .modelName(key.model()).timeout(timeout).build();
            case "gemini":
                return GoogleAiGeminiStreamingChatModel.builder().baseUrl(key.baseUrl()).apiKey(requireKey(key))
                        .modelName(key.model()).timeout(timeout).build();
            default:
                return OpenAiStreamingChatModel.builder().baseUrl(key.baseUrl()).apiKey(key.apiKey())
                        .modelName(key.model()).timeout(timeout).build();
        }
    }

    private static String requireKey(Key key) {
        if (key.apiKey() == null || key.apiKey().isBlank()) {
            throw new AgentCallFailure(AgentCallFailure.Kind.REJECTED, "the " + key.kind() + " provider at "
                    + key.baseUrl() + " has no API key; set one with PUT /api/v1/providers/{id}");
        }
        return key.apiKey();
    }

    private record Key(String kind, String baseUrl, String model, String apiKey, boolean streaming) {

        static Key of(CallableAgent agent, boolean streaming) {
            String kind = agent.providerKind() == null ? "openai" : agent.providerKind();
            return new Key(kind, agent.baseUrl(), agent.model(), agent.apiKey(), streaming);
        }

        @Override
        public String toString() {
            return "Key[" + kind + " " + baseUrl + " " + model + "]";
        }
    }
}
