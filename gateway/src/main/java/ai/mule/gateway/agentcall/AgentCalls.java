package ai.mule.gateway.agentcall;

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
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.springframework.stereotype.Service;

/**
 * Calls an agent directly, without a job: the agent's system prompt (with its skills) first, then the caller's whole
 * conversation, through the langchain4j client of the provider's kind. Used by {@code agent/<name>} chat completions.
 */
@Service
public class AgentCalls {

    private final ProviderClients clients;

    AgentCalls(ProviderClients clients) {
        this.clients = clients;
    }

    /** Asks and waits for the whole answer. */
    public AgentAnswer call(CallableAgent agent, List<Turn> conversation) {
        ChatResponse response;
        try {
            response = clients.chat(agent).chat(request(agent, conversation));
        } catch (RuntimeException e) {
            throw ProviderFailures.of(e, agent, clients.timeout());
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
            clients.streaming(agent).chat(request, new StreamingChatResponseHandler() {
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
                    listener.onError(ProviderFailures.of(error, agent, clients.timeout()));
                }
            });
        } catch (RuntimeException e) {
            listener.onError(ProviderFailures.of(e, agent, clients.timeout()));
        }
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
