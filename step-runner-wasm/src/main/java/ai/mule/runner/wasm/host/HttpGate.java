package ai.mule.runner.wasm.host;

import ai.mule.netgate.Addresses;
import ai.mule.netgate.GateRefusal;
import ai.mule.netgate.GatedRequest;
import ai.mule.netgate.GatedResponse;
import ai.mule.netgate.NetworkGate;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.util.List;

/**
 * Decides whether a module may call a URL, and makes the call through the {@link NetworkGate} (which checks the
 * address it connects to, follows no redirect and reads a bounded body). Only http and https; the host must match
 * the step's allowlist: {@code host} (any port), {@code host:port}, {@code *.domain} (its subdomains) or {@code *}
 * (any public host). A host that resolves to a loopback, private, link-local or otherwise internal address
 * ({@link Addresses#internal}) is refused unless both the step's allowlist names it exactly (not through a wildcard)
 * and the runner's operator allows it ({@code mule.runner.wasm.internal-hosts}): whoever uploads a module writes its
 * config, so the config alone must never open the runner's own network (metadata endpoints, databases, the broker)
 * to it.
 */
final class HttpGate {

    private final List<String> allowlist;
    private final NetworkGate network;

    HttpGate(List<String> allowlist, List<String> operatorInternal) {
        this.allowlist = allowlist;
        NetworkGate.InternalAccess operator = NetworkGate.InternalAccess.listed(operatorInternal);
        this.network = new NetworkGate((host, port) -> exact(host, port) && operator.allows(host, port),
                "internal hosts need an exact entry in host_functions.http and in the runner's "
                        + "mule.runner.wasm.internal-hosts");
    }

    /** Null when the call may go ahead (its host resolves to addresses it may reach), else why not. */
    String refusal(URI uri) {
        try {
            allowed(uri);
            network.check(uri);
            return null;
        } catch (GateRefusal e) {
            return e.getMessage();
        }
    }

    /** Makes the call when the URL is allowed; a {@link GateRefusal} says why it is not. */
    GatedResponse send(GatedRequest request) throws IOException {
        allowed(request.uri());
        return network.send(request);
    }

    private void allowed(URI uri) throws GateRefusal {
        NetworkGate.HostPort where = NetworkGate.HostPort.of(uri);
        String host = where.host();
        boolean wildcard = allowlist.contains("*") || allowlist.stream()
                .anyMatch(entry -> entry.startsWith("*.") && host.endsWith(entry.substring(1)));
        if (!exact(host, where.port()) && !wildcard) {
            throw new GateRefusal("host '" + host + "' (port " + where.port()
                    + ") is not in the step's host_functions.http allowlist");
        }
    }

    private boolean exact(String host, int port) {
        return allowlist.contains(host) || allowlist.contains(host + ":" + port);
    }

    static boolean internal(InetAddress address) {
        return Addresses.internal(address);
    }
}
