package ai.mule.netgate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import org.junit.jupiter.api.Test;

class AddressesTest {

    @Test
    void internalClasses() throws Exception {
        for (String internal : List.of("127.0.0.1", "127.255.0.9", "10.0.0.1", "172.16.5.4", "192.168.1.1",
                "169.254.169.254", "100.64.0.1", "0.0.0.0", "255.255.255.255", "224.0.0.1", "198.18.0.1", "::1", "::",
                "fd00::1", "fe80::1", "ff02::1", "::ffff:127.0.0.1", "::ffff:169.254.169.254", "::127.0.0.1",
                "64:ff9b::10.0.0.1", "2002:a9fe:a9fe::1")) {
            assertThat(Addresses.internal(InetAddress.getByName(internal))).as(internal).isTrue();
        }
        for (String external : List.of("8.8.8.8", "93.184.216.34", "2606:4700::1111", "::ffff:8.8.8.8",
                "64:ff9b::808:808")) {
            assertThat(Addresses.internal(InetAddress.getByName(external))).as(external).isFalse();
        }
    }

    @Test
    void readsIpv4AsInetAtonDoes() throws Exception {
        for (String loopback : List.of("2130706433", "0177.0.0.1", "0x7f.1", "0x7f000001", "127.1", "127.0.1",
                "0x7F.0.0.1", "017700000001", "127.0.0.1.")) {
            assertThat(Addresses.resolve(loopback)).as(loopback)
                    .containsExactly(InetAddress.getByName("127.0.0.1"));
        }
        assertThat(Addresses.resolve("0xa9.254.0251.0376")).containsExactly(InetAddress.getByName("169.254.169.254"));
        assertThat(Addresses.resolve("[::1]")).containsExactly(InetAddress.getByName("::1"));
    }

    @Test
    void numbersThatAreNoAddressAreNeverLookedUp() {
        for (String bad : List.of("256.1.1.1", "1.2.3.4.5", "4294967296", "08.0.0.1", "1.2.3.256")) {
            assertThatThrownBy(() -> Addresses.resolve(bad)).as(bad).isInstanceOf(UnknownHostException.class)
                    .hasMessageContaining("not a valid IPv4 address");
        }
    }
}
