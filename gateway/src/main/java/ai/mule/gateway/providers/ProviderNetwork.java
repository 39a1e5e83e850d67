package ai.mule.gateway.providers;

import ai.mule.netgate.GateRefusal;
import ai.mule.netgate.NetworkGate;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.List;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Which provider URLs the gateway may call. Whoever holds an API key chooses a provider's base URL, so model listing
 * and direct agent calls follow the {@link NetworkGate}'s address rules: no loopback, private or link-local address
 * (the cloud metadata endpoint) unless the operator allows that host ({@code MULE_PROVIDERS_INTERNAL_HOSTS}). Local
 * models (Ollama, LM Studio on the same machine) are the common case of a gateway that listens on loopback only, so
 * there the default allows loopback ({@code 127.0.0.1}, {@code localhost}, {@code ::1}); a gateway on a network allows
 * none until the operator lists them.
 */
@Component
public class ProviderNetwork {

    static final List<String> LOOPBACK = NetworkGate.InternalAccess.LOOPBACK;

    private final NetworkGate gate;

    /**
     * @param internalHosts {@code mule.providers.internal-hosts}: hosts ({@code host} or {@code host:port}) on
     *                      internal addresses that providers may use; {@code none} for none; unset for the default
     * @param address       the address the gateway listens on ({@code MULE_HTTP_ADDRESS})
     */
    ProviderNetwork(@Value("${mule.providers.internal-hosts:}") String internalHosts,
                    @Value("${server.address:}") String address) {
        this.gate = new NetworkGate(NetworkGate.InternalAccess.listed(internalHosts(internalHosts, address)),
                "providers on internal hosts need an entry in MULE_PROVIDERS_INTERNAL_HOSTS (mule.providers.internal-hosts)");
    }

    /** The gate model listing and direct agent calls (whole answers) go through. */
    public NetworkGate gate() {
        return gate;
    }

    /**
     * Refuses a base URL whose host is internal and not allowed. langchain4j's clients resolve the host again when
     * they connect, so for agent calls this closes the direct way in (an address, a name for one), not a name that
     * changes its answer between the two lookups; model listing connects to the address checked. The agent runner
     * checks again before each call, with the same setting.
     */
    public void check(String baseUrl) throws GateRefusal {
        try {
            gate.check(new URI(baseUrl));
        } catch (URISyntaxException e) {
            throw new GateRefusal("'" + baseUrl + "' is not a URL");
        }
    }

    static List<String> internalHosts(String configured, String address) {
        return NetworkGate.InternalAccess.hostsOf(configured,
                loopback(address) ? LOOPBACK : List.of());
    }

    private static boolean loopback(String address) {
        if (address == null || address.isBlank()) {
            return false; // every interface
        }
        try {
            return InetAddress.getByName(address).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
