package ai.mule.localkafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class FreePortsTest {

    @Test
    void handsOutEachPortOnceAndEachCanBeListenedOn() throws Exception {
        List<Integer> ports = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            ports.add(FreePorts.next());
        }

        assertThat(new HashSet<>(ports)).hasSize(ports.size());
        for (int port : ports.subList(0, 10)) {
            try (ServerSocket listener = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                assertThat(listener.getLocalPort()).isEqualTo(port);
            }
        }
    }
}
