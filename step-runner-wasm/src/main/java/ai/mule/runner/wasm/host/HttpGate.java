package ai.mule.runner.wasm.host;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;

/**
 * Decides whether a module may call a URL. Only http and https; the host must match the step's
 * allowlist: {@code host} (any port), {@code host:port}, {@code *.domain} (its subdomains) or {@code *}
 * (any public host). A host that resolves to a loopback, private, link-local or otherwise internal address
 * is refused unless both the step's allowlist names it exactly (not through a wildcard) and the runner's
 * operator allows it ({@code mule.runner.wasm.internal-hosts}): whoever uploads a module writes its
 * config, so the config alone must never open the runner's own network (metadata endpoints, databases,
 * the broker) to it.
 */
final class HttpGate {

    private final List<String> allowlist;
    private final List<String> operatorInternal;

    HttpGate(List<String> allowlist, List<String> operatorInternal) {
        this.allowlist = allowlist;
        this.operatorInternal = operatorInternal;
    }

    /** Null when the call may go ahead, else why not. */
    String refusal(URI uri) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return "only http and https URLs are allowed, not '" + uri + "'";
        }
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            return "the URL '" + uri + "' has no host";
        }
        String lower = host.toLowerCase(Locale.ROOT);
        String name = lower.startsWith("[") && lower.endsWith("]") ? lower.substring(1, lower.length() - 1) : lower;
        return refusal(scheme, name, uri);
    }

    private String refusal(String scheme, String host, URI uri) {
        int port = uri.getPort() != -1 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
        String hostPort = host + ":" + port;
        boolean exact = allowlist.contains(host) || allowlist.contains(hostPort);
        boolean wildcard = allowlist.contains("*") || allowlist.stream()
                .anyMatch(entry -> entry.startsWith("*.") && host.endsWith(entry.substring(1)));
        if (!exact && !wildcard) {
            return "host '" + host + "' (port " + port + ") is not in the step's host_functions.http allowlist";
        }
        try {
            for (InetAddress address : InetAddress.getAllByName(host)) {
                if (internal(address)) {
                    boolean operatorAllows = operatorInternal.contains(host) || operatorInternal.contains(hostPort);
                    if (exact && operatorAllows) {
                        return null;
                    }
                    return "host '" + host + "' resolves to the internal address " + address.getHostAddress()
                            + "; internal hosts need an exact entry in host_functions.http and in the runner's "
                            + "mule.runner.wasm.internal-hosts";
                }
            }
        } catch (UnknownHostException e) {
            return "host '" + host + "' cannot be resolved";
        }
        return null;
    }

    static boolean internal(InetAddress address) {
        if (address.isLoopbackAddress() || address.isAnyLocalAddress() || address.isLinkLocalAddress()
                || address.isSiteLocalAddress() || address.isMulticastAddress()) {
            return true;
        }
        byte[] bytes = address.getAddress();
        if (address instanceof Inet6Address) {
            return (bytes[0] & 0xfe) == 0xfc; // unique local fc00::/7
        }
        int first = bytes[0] & 0xff;
        int second = bytes[1] & 0xff;
        return first == 0 || first == 100 && second >= 64 && second < 128 // carrier-grade NAT 100.64/10
                || first == 198 && (second == 18 || second == 19); // benchmarking 198.18/15
    }
}
