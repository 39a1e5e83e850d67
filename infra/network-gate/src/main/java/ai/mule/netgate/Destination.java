package ai.mule.netgate;

import java.net.InetAddress;

/**
 * Where a checked call goes: the URL's scheme, host (lower case, IPv6 without brackets) and port, and the one
 * address that was checked, which is the address connected to.
 */
public record Destination(String scheme, String host, int port, InetAddress address) {

    /** The {@code Host} header's value: the host, bracketed when IPv6, with the port unless it is the scheme's. */
    String hostHeader() {
        String name = host.contains(":") ? "[" + host + "]" : host;
        boolean defaultPort = scheme.equals("https") ? port == 443 : port == 80;
        return defaultPort ? name : name + ":" + port;
    }
}
