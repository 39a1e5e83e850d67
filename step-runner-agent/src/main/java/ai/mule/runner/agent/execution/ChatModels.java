package ai.mule.runner.agent.execution;

import ai.mule.providers.ProviderClients;
import ai.mule.providers.ProviderEndpoint;
import ai.mule.providers.ProviderFailure;
import ai.mule.providers.ProviderKind;
import dev.langchain4j.model.chat.ChatModel;
import java.time.Duration;

/**
 * The runner's provider clients ({@link ProviderClients}, shared with the gateway) and its provider timeout. A step
 * whose provider cannot be called as configured (unknown kind, no key for a kind that needs one) fails with the
 * library's reason and kind.
 */
public class ChatModels {

    private final Duration timeout;
    private final ProviderClients clients;

    public ChatModels(Duration timeout, int maxSize) {
        this.timeout = timeout;
        this.clients = new ProviderClients(maxSize);
    }

    /** The longest a provider call may take (connect and reply); a step's own timeout can only shorten it. */
    public Duration timeout() {
        return timeout;
    }

    /** A client for this kind of provider, endpoint and model, whose calls give up after {@code callTimeout}. */
    ChatModel get(String kind, String baseUrl, String model, String apiKey, Duration callTimeout) {
        try {
            return clients.chat(new ProviderEndpoint(ProviderKind.of(kind), baseUrl, apiKey), model, callTimeout);
        } catch (ProviderFailure e) {
            throw new AgentStepFailure(e.kind(), e.getMessage());
        }
    }

    int size() {
        return clients.size();
    }
}
