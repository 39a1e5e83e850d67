package ai.mule.netgate;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Which addresses are internal, and what a host name means as an address. A host is read the way the C library's
 * {@code inet_aton} (and so curl and browsers) reads it, so {@code 2130706433}, {@code 0177.0.0.1} and
 * {@code 0x7f.1} are all 127.0.0.1 here too: the gate never checks one address and connects to another.
 */
public final class Addresses {

    private Addresses() {
    }

    /**
     * True for loopback, unspecified ({@code 0.0.0.0}, {@code ::}), private (10/8, 172.16/12, 192.168/16),
     * link-local (169.254/16, the cloud metadata address among them; fe80::/10), unique-local IPv6 (fc00::/7),
     * site-local IPv6, multicast, carrier-grade NAT (100.64/10), benchmarking (198.18/15), 0/8, broadcast, and any
     * IPv6 address that carries an internal IPv4 one (IPv4-mapped, IPv4-compatible, NAT64 64:ff9b::/96, 6to4).
     */
    public static boolean internal(InetAddress address) {
        if (address.isLoopbackAddress() || address.isAnyLocalAddress() || address.isLinkLocalAddress()
                || address.isSiteLocalAddress() || address.isMulticastAddress()) {
            return true;
        }
        byte[] bytes = address.getAddress();
        if (address instanceof Inet6Address) {
            if ((bytes[0] & 0xfe) == 0xfc) {
                return true; // unique local fc00::/7
            }
            Inet4Address embedded = embeddedIpv4(bytes);
            return embedded != null && internal(embedded);
        }
        int first = bytes[0] & 0xff;
        int second = bytes[1] & 0xff;
        return first == 0 || first >= 240 // "this network", reserved and broadcast
                || first == 100 && second >= 64 && second < 128 // carrier-grade NAT 100.64/10
                || first == 198 && (second == 18 || second == 19) // benchmarking 198.18/15
                || first == 192 && second == 0 && (bytes[2] & 0xff) == 0; // IETF protocol assignments 192.0.0/24
    }

    /**
     * The addresses a URL's host stands for: a literal (IPv6 with or without brackets, IPv4 in any {@code inet_aton}
     * form) is its own address, a name is resolved once.
     */
    public static List<InetAddress> resolve(String host) throws UnknownHostException {
        String name = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        Optional<Inet4Address> numeric = numericIpv4(name);
        if (numeric.isPresent()) {
            return List.of(numeric.get());
        }
        if (Arrays.stream(name.split("\\.", -1)).allMatch(part -> part.matches("(?i)\\d+|0x[0-9a-f]*"))) {
            // numbers and dots that are no address (1.2.3.4.5, 256.1.1.1): never ask DNS what they mean
            throw new UnknownHostException("'" + host + "' is not a valid IPv4 address");
        }
        if (name.contains(":")) {
            return List.of(InetAddress.getByName(name)); // an IPv6 literal: parsed, never resolved
        }
        return Arrays.asList(InetAddress.getAllByName(name));
    }

    /**
     * An IPv4 address in any form {@code inet_aton} accepts: 1 to 4 parts separated by dots, each decimal,
     * octal (leading 0) or hexadecimal (leading 0x), the last part filling the remaining bytes. Empty when the host
     * is not such a number.
     */
    public static Optional<Inet4Address> numericIpv4(String host) {
        String lower = host.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".")) {
            lower = lower.substring(0, lower.length() - 1); // the root's dot: "127.0.0.1." is 127.0.0.1
        }
        if (lower.isEmpty() || !lower.matches("[0-9a-fx.]+")) {
            return Optional.empty();
        }
        String[] parts = lower.split("\\.", -1);
        if (parts.length > 4) {
            return Optional.empty();
        }
        long[] values = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            Long value = part(parts[i]);
            if (value == null) {
                return Optional.empty();
            }
            values[i] = value;
        }
        long address = 0;
        for (int i = 0; i < parts.length - 1; i++) {
            if (values[i] > 255) {
                return Optional.empty();
            }
            address |= values[i] << (8 * (3 - i));
        }
        long last = values[parts.length - 1];
        if (last >= 1L << (8 * (4 - (parts.length - 1)))) {
            return Optional.empty();
        }
        address |= last;
        byte[] bytes = {(byte) (address >>> 24), (byte) (address >>> 16), (byte) (address >>> 8), (byte) address};
        try {
            return Optional.of((Inet4Address) InetAddress.getByAddress(host, bytes));
        } catch (UnknownHostException e) {
            throw new IllegalStateException("four bytes are always an address", e);
        }
    }

    private static Long part(String text) {
        try {
            if (text.startsWith("0x")) {
                return text.length() == 2 ? 0L : text.length() > 10 ? null : Long.parseLong(text.substring(2), 16);
            }
            if (text.length() > 1 && text.startsWith("0")) {
                return text.length() > 12 ? null : Long.parseLong(text.substring(1), 8);
            }
            return text.isEmpty() || text.length() > 10 ? null : Long.parseLong(text);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The IPv4 address inside an IPv4-compatible (::a.b.c.d), NAT64 (64:ff9b::a.b.c.d) or 6to4 (2002:ab:cd::) one. */
    private static Inet4Address embeddedIpv4(byte[] v6) {
        boolean compatible = true;
        for (int i = 0; i < 12; i++) {
            compatible &= v6[i] == 0;
        }
        boolean nat64 = (v6[0] & 0xff) == 0x00 && (v6[1] & 0xff) == 0x64 && (v6[2] & 0xff) == 0xff
                && (v6[3] & 0xff) == 0x9b;
        for (int i = 4; nat64 && i < 12; i++) {
            nat64 = v6[i] == 0;
        }
        try {
            if (compatible || nat64) {
                return (Inet4Address) InetAddress.getByAddress(Arrays.copyOfRange(v6, 12, 16));
            }
            if ((v6[0] & 0xff) == 0x20 && (v6[1] & 0xff) == 0x02) {
                return (Inet4Address) InetAddress.getByAddress(Arrays.copyOfRange(v6, 2, 6));
            }
        } catch (UnknownHostException e) {
            throw new IllegalStateException("four bytes are always an address", e);
        }
        return null;
    }
}
