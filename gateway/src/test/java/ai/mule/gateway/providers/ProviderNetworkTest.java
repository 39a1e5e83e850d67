package ai.mule.gateway.providers;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ProviderNetworkTest {

    @Test
    void aGatewayOnLoopbackAllowsLoopbackProvidersByDefault() {
        assertThat(ProviderNetwork.internalHosts("", "127.0.0.1")).isEqualTo(ProviderNetwork.LOOPBACK);
        assertThat(ProviderNetwork.internalHosts(null, "::1")).isEqualTo(ProviderNetwork.LOOPBACK);
    }

    @Test
    void aGatewayOnANetworkAllowsNoInternalProviderUnlessListed() {
        assertThat(ProviderNetwork.internalHosts("", "0.0.0.0")).isEmpty();
        assertThat(ProviderNetwork.internalHosts("", "")).isEmpty();
        assertThat(ProviderNetwork.internalHosts(" ollama.lan:11434 , 10.0.0.5 ", "0.0.0.0"))
                .isEqualTo(List.of("ollama.lan:11434", "10.0.0.5"));
        assertThat(ProviderNetwork.internalHosts("none", "127.0.0.1")).isEmpty();
    }
}
