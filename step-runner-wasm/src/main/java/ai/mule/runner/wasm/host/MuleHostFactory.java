package ai.mule.runner.wasm.host;

import ai.mule.runner.runtime.CancelSignal;
import ai.mule.runner.wasm.execution.HostImports;
import ai.mule.schemas.StepCaller;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Locale;

/** Makes each run's {@link MuleHost} from its step config; holds what every run shares. */
public final class MuleHostFactory {

    private final GatewayClient gateway;
    private final int maxResponseBytes;
    private final List<String> internalHosts;

    public MuleHostFactory(GatewayClient gateway, int maxResponseBytes, List<String> internalHosts) {
        this.gateway = gateway;
        this.maxResponseBytes = maxResponseBytes;
        this.internalHosts = internalHosts.stream().map(h -> h.strip().toLowerCase(Locale.ROOT)).toList();
    }

    /**
     * The host of one run: its step's config, the step itself ({@link StepCaller#of}), which its calls name, and the
     * step's signal, through which it gives its runner's place back while it waits for a job.
     */
    public HostImports forStep(JsonNode stepConfig, StepCaller caller, CancelSignal step) {
        return new MuleHost(HostSettings.from(stepConfig), gateway, maxResponseBytes, internalHosts, caller, step);
    }
}
