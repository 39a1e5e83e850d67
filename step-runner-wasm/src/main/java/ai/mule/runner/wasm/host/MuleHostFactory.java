package ai.mule.runner.wasm.host;

import ai.mule.runner.wasm.execution.HostImports;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpClient;
import java.util.List;
import java.util.Locale;

/** Makes each run's {@link MuleHost} from its step config; holds the clients every run shares. */
public final class MuleHostFactory {

    private final HttpClient http;
    private final GatewayClient gateway;
    private final int maxResponseBytes;
    private final List<String> internalHosts;

    public MuleHostFactory(HttpClient http, GatewayClient gateway, int maxResponseBytes, List<String> internalHosts) {
        this.http = http;
        this.gateway = gateway;
        this.maxResponseBytes = maxResponseBytes;
        this.internalHosts = internalHosts.stream().map(h -> h.strip().toLowerCase(Locale.ROOT)).toList();
    }

    public HostImports forConfig(JsonNode stepConfig) {
        return new MuleHost(HostSettings.from(stepConfig), http, gateway, maxResponseBytes, internalHosts);
    }
}
