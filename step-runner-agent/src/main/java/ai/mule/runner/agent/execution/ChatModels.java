package ai.mule.runner.agent.execution;

import ai.mule.providers.ProviderClients;
import ai.mule.providers.ProviderEndpoint;
import ai.mule.providers.ProviderFailure;
import ai.mule.providers.ProviderKind;
import ai.mule.netgate.NetworkGate;
import dev.langchain4j.model.chat.ChatModel;
import java.time.Duration;

/**
 * The runner's provider clients ({@link ProviderClients}, shared with the gateway) and its provider timeout. A step
 * whose provider cannot be called as configured (unknown kind, no key for a kind that needs one) fails with the
 * library's reason and kind. Every provider call goes through the {@link NetworkGate} (see {@link ProviderClients}):
 * a host on a loopback, private or link-local address (the cloud metadata endpoint) is refused
 * ({@code INVALID_INPUT}) unless {@code mule.providers.internal-hosts} ({@code MULE_PROVIDERS_INTERNAL_HOSTS}) lists
 * it, and the connection goes to the address checked, so a name that changes its answer cannot move the call.
 */
public class ChatModels {

    static final String HOW_TO_ALLOW = "providers on internal hosts need an entry in MULE_PROVIDERS_INTERNAL_HOSTS "
            + "(mule.providers.internal-hosts) on the gateway and the agent runner";

    private final Duration timeout;
    private final ProviderClients clients;

    /** With the default internal hosts: loopback only (a local model server), as a gateway on loopback has. */
    public ChatModels(Duration timeout, int maxSize) {
        this(timeout, maxSize, null);
    }

    /**
     * @param internalHosts {@code mule.providers.internal-hosts}: internal hosts ({@code host} or {@code host:port})
     *                      providers may use; {@code none} for none; unset for loopback only
     */
    public ChatModels(Duration timeout, int maxSize, String internalHosts) {
        this.timeout = timeout;
        this.clients = new ProviderClients(maxSize, new NetworkGate(NetworkGate.InternalAccess.listed(
                NetworkGate.InternalAccess.hostsOf(internalHosts, NetworkGate.InternalAccess.LOOPBACK)), HOW_TO_ALLOW));
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
