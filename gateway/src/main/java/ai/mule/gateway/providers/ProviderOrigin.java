package ai.mule.gateway.providers;

import ai.mule.netgate.GateRefusal;
import ai.mule.netgate.NetworkGate;
import java.net.URI;
import java.net.URISyntaxException;

/** A base URL's origin (scheme, host, port: the port its scheme implies when none is written), which a key is bound to. */
final class ProviderOrigin {

    private ProviderOrigin() {
    }

    static boolean same(String oldUrl, String newUrl) {
        String before = of(oldUrl);
        return before != null && before.equals(of(newUrl));
    }

    /** {@code http://127.0.0.1:11434}; null for a URL that has none. */
    static String of(String url) {
        try {
            URI uri = new URI(url);
            NetworkGate.HostPort where = NetworkGate.HostPort.of(uri);
            String host = where.host().contains(":") ? "[" + where.host() + "]" : where.host();
            return uri.getScheme().toLowerCase(java.util.Locale.ROOT) + "://" + host + ":" + where.port();
        } catch (URISyntaxException | GateRefusal | RuntimeException e) {
            return null;
        }
    }
}
