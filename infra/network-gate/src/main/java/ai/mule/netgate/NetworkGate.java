package ai.mule.netgate;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import javax.net.ssl.SSLSocketFactory;

/**
 * The one way Mule calls a URL that a user's configuration chose (an agent's {@code http_fetch} tool, a WASM
 * module's {@code http_request}, a provider's model list). It
 * <ul>
 *   <li>takes http and https only, and no user info in the URL;</li>
 *   <li>resolves the host once ({@link Addresses#resolve}: numeric IPv4 in every {@code inet_aton} form included)
 *       and refuses it when any of its addresses is internal ({@link Addresses#internal}) unless the operator's
 *       {@link InternalAccess} allows that host and port;</li>
 *   <li>connects to the address it checked, so a name that resolves differently a moment later (DNS rebinding)
 *       cannot move the call; https still verifies the certificate against the URL's host name, sent as SNI;</li>
 *   <li>follows no redirect: a 3xx is the answer;</li>
 *   <li>reads at most {@link GatedRequest#maxBodyBytes()} of a body and closes the connection on the rest;</li>
 *   <li>stops at the request's timeout and when the calling thread is interrupted (checked every 200 ms).</li>
 * </ul>
 * Thread-safe; keeps no connections.
 */
public final class NetworkGate {

    private final InternalAccess internalAccess;
    private final String howToAllow;
    private final SSLSocketFactory tls;

    /**
     * @param internalAccess which internal hosts may be called anyway
     * @param howToAllow     the end of a refusal's message: what an operator sets to allow an internal host
     */
    public NetworkGate(InternalAccess internalAccess, String howToAllow) {
        this(internalAccess, howToAllow, (SSLSocketFactory) SSLSocketFactory.getDefault());
    }

    /** With the JDK's trust store replaced, for tests with their own certificates. */
    NetworkGate(InternalAccess internalAccess, String howToAllow, SSLSocketFactory tls) {
        this.internalAccess = internalAccess;
        this.howToAllow = howToAllow;
        this.tls = tls;
    }

    /** Which internal hosts the operator lets calls reach: by the URL's host (lower case, no brackets) and port. */
    @FunctionalInterface
    public interface InternalAccess {

        boolean allows(String host, int port);

        /** The loopback names a local model server (Ollama, LM Studio) is reached by. */
        List<String> LOOPBACK = List.of("127.0.0.1", "localhost", "::1");

        /**
         * An operator's setting of internal hosts read as a list: blank or unset for {@code whenUnset}, {@code none}
         * for none, else the comma-separated entries ({@code host} or {@code host:port}).
         */
        static List<String> hostsOf(String setting, List<String> whenUnset) {
            if (setting == null || setting.isBlank()) {
                return whenUnset;
            }
            if (setting.strip().equalsIgnoreCase("none")) {
                return List.of();
            }
            return Arrays.stream(setting.split(",")).map(String::strip).filter(h -> !h.isEmpty()).toList();
        }

        /** None. */
        static InternalAccess none() {
            return (host, port) -> false;
        }

        /** The hosts listed as {@code host} (any port) or {@code host:port}, case-insensitive; blanks ignored. */
        static InternalAccess listed(Collection<String> entries) {
            Set<String> set = entries.stream().map(e -> e.strip().toLowerCase(Locale.ROOT)).filter(e -> !e.isEmpty())
                    .collect(Collectors.toUnmodifiableSet());
            return (host, port) -> set.contains(host) || set.contains(host + ":" + port)
                    || set.contains("[" + host + "]") || set.contains("[" + host + "]:" + port);
        }
    }

    /** Checks the URL and resolves its host once; the destination names the address to connect to. */
    public Destination check(URI uri) throws GateRefusal {
        HostPort where = HostPort.of(uri);
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        List<InetAddress> addresses;
        try {
            addresses = Addresses.resolve(where.host());
        } catch (UnknownHostException e) {
            throw new GateRefusal("host '" + where.host() + "' cannot be resolved");
        }
        for (InetAddress address : addresses) {
            if (Addresses.internal(address) && !internalAccess.allows(where.host(), where.port())) {
                throw new GateRefusal("host '" + where.host() + "' resolves to the internal address "
                        + address.getHostAddress() + "; " + howToAllow);
            }
        }
        return new Destination(scheme, where.host(), where.port(), addresses.get(0));
    }

    /** Checks the request's URL, then makes the call to the address checked. */
    public GatedResponse send(GatedRequest request) throws IOException {
        return HttpExchange.run(check(request.uri()), request, tls);
    }

    /**
     * An http(s) URL's host (lower case, IPv6 without brackets) and port (the scheme's when none is written), as the
     * gate reads them; for checking a URL against an allowlist of names before the gate resolves it.
     */
    public record HostPort(String host, int port) {

        /** Read from the raw authority when {@link URI} found no server-based host in it ({@code 0x7f.1}). */
        public static HostPort of(URI uri) throws GateRefusal {
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                throw new GateRefusal("only http and https URLs are allowed, not '" + uri + "'");
            }
            int defaultPort = scheme.equals("https") ? 443 : 80;
            String host = uri.getHost();
            int port = uri.getPort();
            if (uri.getRawUserInfo() != null) {
                throw new GateRefusal("URLs with user info are not allowed: '" + uri + "'");
            }
            if (host == null) {
                // java.net.URI reads "0x7f.1:80" or "0177.0.0.1" as a registry name, with no host: read it here
                String authority = uri.getRawAuthority();
                if (authority == null || authority.isEmpty() || authority.contains("@")) {
                    throw new GateRefusal("the URL '" + uri + "' has no host");
                }
                int colon = authority.lastIndexOf(':');
                if (colon >= 0 && !authority.startsWith("[")) {
                    host = authority.substring(0, colon);
                    try {
                        port = Integer.parseInt(authority.substring(colon + 1));
                    } catch (NumberFormatException e) {
                        throw new GateRefusal("the URL '" + uri + "' has no valid port");
                    }
                } else {
                    host = authority;
                }
            }
            host = host.toLowerCase(Locale.ROOT);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            if (host.isEmpty()) {
                throw new GateRefusal("the URL '" + uri + "' has no host");
            }
            port = port == -1 ? defaultPort : port;
            if (port < 1 || port > 65535) {
                throw new GateRefusal("the URL '" + uri + "' has no valid port");
            }
            return new HostPort(host, port);
        }
    }
}
