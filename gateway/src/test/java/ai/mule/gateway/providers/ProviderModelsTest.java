package ai.mule.gateway.providers;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ProviderModelsTest {

    @Test
    void aGatewayOnLoopbackAllowsLoopbackProvidersByDefault() {
        assertThat(ProviderModels.internalHosts("", "127.0.0.1")).isEqualTo(ProviderModels.LOOPBACK);
        assertThat(ProviderModels.internalHosts(null, "::1")).isEqualTo(ProviderModels.LOOPBACK);
    }

    @Test
    void aGatewayOnANetworkAllowsNoInternalProviderUnlessListed() {
        assertThat(ProviderModels.internalHosts("", "0.0.0.0")).isEmpty();
        assertThat(ProviderModels.internalHosts("", "")).isEmpty();
        assertThat(ProviderModels.internalHosts(" ollama.lan:11434 , 10.0.0.5 ", "0.0.0.0"))
                .isEqualTo(List.of("ollama.lan:11434", "10.0.0.5"));
        assertThat(ProviderModels.internalHosts("none", "127.0.0.1")).isEmpty();
    }
}
