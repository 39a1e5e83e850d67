package ai.mule.gateway.agentcall;

import ai.mule.gateway.providers.ProviderNetwork;
import ai.mule.netgate.GateRefusal;
import ai.mule.providers.ProviderClients;
import ai.mule.providers.ProviderEndpoint;
import ai.mule.providers.ProviderErrors;
import ai.mule.providers.ProviderFailure;
import ai.mule.providers.ProviderKind;
import ai.mule.schemas.FailureKind;
import ai.mule.schemas.TokenUsage;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.springframework.stereotype.Service;

/**
 * Calls an agent directly, without a job: the agent's system prompt (with its skills) first, then the caller's whole
 * conversation, through the provider library's client of the provider's kind ({@link ProviderClients}, the one
 * the agent runner uses too). Used by {@code agent/<name>} chat completions.
 */
@Service
public class AgentCalls {

    private final ProviderClients clients;
    private final Duration timeout;
    private final ProviderNetwork network;

    AgentCalls(AgentCallProperties properties, ProviderNetwork network) {
        // whole answers go through the network gate (connected to the address checked); streams are checked first
        this.clients = new ProviderClients(properties.clientCache(), network.gate());
        this.timeout = properties.timeout();
        this.network = network;
    }

    /** Asks and waits for the whole answer. */
    public AgentAnswer call(CallableAgent agent, List<Turn> conversation) {
        ChatResponse response;
        try {
            response = clients.chat(endpoint(agent), agent.model(), timeout).chat(request(agent, conversation));
        } catch (RuntimeException e) {
            throw failure(e, agent);
        }
        AiMessage answer = response.aiMessage();
        return new AgentAnswer(answer == null || answer.text() == null ? "" : answer.text(), usage(response));
    }

    /**
     * Asks and hands each piece of the answer to {@code listener} as the provider sends it. Returns at once; the
     * listener is called on the provider client's thread. {@code abandoned} is checked with each piece: when it
     * says the caller left, the provider's stream is cancelled.
     */
    public void stream(CallableAgent agent, List<Turn> conversation, Listener listener, BooleanSupplier abandoned) {
        ChatRequest request = request(agent, conversation);
        try {
            clients.streaming(endpoint(agent), agent.model(), timeout).chat(request, new StreamingChatResponseHandler() {
                @Override
                public void onPartialResponse(PartialResponse partial, PartialResponseContext context) {
                    if (abandoned.getAsBoolean()) {
                        context.streamingHandle().cancel();
                        return;
                    }
                    if (partial.text() != null && !partial.text().isEmpty()) {
                        listener.onToken(partial.text());
                    }
                }

                @Override
                public void onCompleteResponse(ChatResponse response) {
                    AiMessage answer = response.aiMessage();
                    listener.onComplete(new AgentAnswer(answer == null || answer.text() == null ? "" : answer.text(),
                            usage(response)));
                }

                @Override
                public void onError(Throwable error) {
                    listener.onError(failure(error, agent));
                }
            });
        } catch (RuntimeException e) {
            listener.onError(failure(e, agent));
        }
    }

    /**
     * The agent's provider as the library knows it; an unknown kind is refused ({@code INVALID_INPUT}), not guessed,
     * and so is a base URL on an internal address the operator did not allow ({@link ProviderNetwork}).
     */
    private ProviderEndpoint endpoint(CallableAgent agent) {
        try {
            network.check(agent.baseUrl());
        } catch (GateRefusal e) {
            throw new AgentCallFailure(FailureKind.INVALID_INPUT, "the provider at " + agent.baseUrl()
                    + " is refused: " + e.getMessage());
        }
        return new ProviderEndpoint(ProviderKind.of(agent.providerKind()), agent.baseUrl(), agent.apiKey());
    }

    private AgentCallFailure failure(Throwable error, CallableAgent agent) {
        if (error instanceof AgentCallFailure known) {
            return known;
        }
        ProviderFailure failure = ProviderErrors.of(error, agent.baseUrl(), timeout);
        return new AgentCallFailure(failure.kind(), failure.getMessage());
    }

    private static ChatRequest request(CallableAgent agent, List<Turn> conversation) {
        List<ChatMessage> messages = new ArrayList<>(conversation.size() + 1);
        if (agent.systemPrompt() != null && !agent.systemPrompt().isBlank()) {
            messages.add(SystemMessage.from(agent.systemPrompt()));
        }
        for (Turn turn : conversation) {
            switch (turn.role()) {
                case SYSTEM -> messages.add(SystemMessage.from(turn.content()));
                case ASSISTANT -> messages.add(AiMessage.from(turn.content()));
                default -> messages.add(UserMessage.from(turn.content()));
            }
        }
        return ChatRequest.builder().messages(messages).temperature(agent.temperature())
                .maxOutputTokens(agent.maxTokens()).build();
    }

    private static TokenUsage usage(ChatResponse response) {
        dev.langchain4j.model.output.TokenUsage usage = response.tokenUsage();
        if (usage == null || (usage.inputTokenCount() == null && usage.outputTokenCount() == null)) {
            return null;
        }
        int in = usage.inputTokenCount() == null ? 0 : usage.inputTokenCount();
        int out = usage.outputTokenCount() == null ? 0 : usage.outputTokenCount();
        return new TokenUsage(in, out, usage.totalTokenCount() == null ? in + out : usage.totalTokenCount());
    }

    /** Receives a streamed answer. */
    public interface Listener {
        void onToken(String text);

        void onComplete(AgentAnswer answer);

        void onError(AgentCallFailure failure);
    }
}
