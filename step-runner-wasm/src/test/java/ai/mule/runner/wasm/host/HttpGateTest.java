package ai.mule.runner.wasm.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

class HttpGateTest {

    @Test
    void allowsOnlyListedHostsOverHttpAndHttps() {
        HttpGate gate = new HttpGate(List.of("127.0.0.1:8089", "localhost", "93.184.216.34"),
                List.of("127.0.0.1:8089", "localhost"));

        assertThat(gate.refusal(URI.create("http://127.0.0.1:8089/x"))).isNull();
        assertThat(gate.refusal(URI.create("http://localhost/x"))).isNull();
        assertThat(gate.refusal(URI.create("http://127.0.0.1:8090/x"))).contains("not in the step's host_functions.http");
        assertThat(gate.refusal(URI.create("file:///etc/passwd"))).contains("only http and https");
        assertThat(gate.refusal(URI.create("http://example.com/"))).contains("not in the step's");
        assertThat(gate.refusal(URI.create("http://93.184.216.34/"))).isNull();
    }

    @Test
    void theStepConfigAloneCannotOpenAnInternalHost() {
        HttpGate gate = new HttpGate(List.of("127.0.0.1:8089", "10.0.0.5"), List.of("127.0.0.1:8089"));

        assertThat(gate.refusal(URI.create("http://127.0.0.1:8089/"))).isNull();
        assertThat(gate.refusal(URI.create("http://10.0.0.5/"))).contains("mule.runner.wasm.internal-hosts");
    }

    @Test
    void wildcardsNeverReachInternalAddresses() {
        HttpGate gate = new HttpGate(List.of("*", "*.internal.test"), List.of("127.0.0.1", "localhost:5432"));

        assertThat(gate.refusal(URI.create("http://127.0.0.1/"))).contains("internal address 127.0.0.1");
        assertThat(gate.refusal(URI.create("http://localhost:5432/"))).contains("internal address");
        assertThat(gate.refusal(URI.create("http://[::1]:9092/"))).contains("internal address");
        assertThat(gate.refusal(URI.create("http://169.254.169.254/latest/meta-data"))).contains("internal address");
        assertThat(gate.refusal(URI.create("http://10.1.2.3/"))).contains("internal address");
    }

    @Test
    void loopbackInAnyIpv4SpellingIsInternal() {
        HttpGate gate = new HttpGate(List.of("*", "2130706433"), List.of("127.0.0.1"));

        for (String url : List.of("http://2130706433/", "http://0177.0.0.1/", "http://0x7f.1/", "http://127.1/",
                "http://[::ffff:127.0.0.1]/", "http://[::ffff:a9fe:a9fe]/", "http://0xa9fea9fe/")) {
            assertThat(gate.refusal(URI.create(url))).as(url).contains("internal address");
        }
    }

    @Test
    void knowsWhichAddressesAreInternal() throws Exception {
        for (String internal : List.of("127.0.0.1", "10.0.0.1", "172.16.5.4", "192.168.1.1", "169.254.169.254",
                "100.64.0.1", "0.0.0.0", "::1", "fd00::1", "fe80::1")) {
            assertThat(HttpGate.internal(InetAddress.getByName(internal))).as(internal).isTrue();
        }
        for (String external : List.of("8.8.8.8", "93.184.216.34", "2606:4700::1111")) {
            assertThat(HttpGate.internal(InetAddress.getByName(external))).as(external).isFalse();
        }
    }
}
