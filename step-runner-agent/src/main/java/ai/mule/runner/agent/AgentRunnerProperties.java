package ai.mule.runner.agent;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import java.time.Duration;
import java.util.List;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How the agent runner runs; each property can be set from the environment
 * ({@code MULE_RUNNER_AGENT_CONCURRENCY=16}). Kafka is configured as for every service ({@code MULE_KAFKA_*}).
 *
 * @param concurrency      agent calls run at the same time by this process; they wait on the provider's
 *                         network reply, not on the CPU, so this can exceed the core count
 * @param providerTimeout  how long one provider call may take (connect and reply) before the step fails; a call
 *                         also ends when the step's own timeout (policy timeout_ms) runs out, whichever is first
 * @param shutdownTimeout  how long a stopping runner lets running steps finish and report; steps still
 *                         running after that are redelivered to another runner
 * @param modelCacheSize   provider clients kept (one per provider, model, URL and key)
 * @param masterKey        {@code MULE_MASTER_KEY}: base64 of the 32-byte AES key the gateway seals provider API
 *                         keys with; empty when the gateway stores none
 * @param credentialCacheTtl how long a provider's opened key is reused before it is read again (0: every step)
 * @param gatewayUrl       the gateway's API, which agent tools call (workflows, agents, WASM modules)
 * @param gatewayApiKey    a Mule API key for those calls when the gateway requires keys ({@code MULE_RUNNER_AGENT_GATEWAY_API_KEY})
 * @param toolTimeout      longest one tool call may take (the step's remaining time can shorten it)
 * @param internalHosts    loopback/private hosts ({@code host} or {@code host:port}) an http_fetch tool may reach when
 *                         its allowed_hosts names them too ({@code MULE_RUNNER_AGENT_INTERNAL_HOSTS}, comma-separated);
 *                         empty by default, so an agent's config alone never reaches the runner's own network
 */
@ConfigurationProperties("mule.runner.agent")
@Validated
public record AgentRunnerProperties(
        @Positive @DefaultValue("8") int concurrency,
        @NotNull @DurationMin(millis = 1) @DefaultValue("120s") Duration providerTimeout,
        @NotNull @DurationMin(millis = 0) @DefaultValue("20s") Duration shutdownTimeout,
        @Positive @DefaultValue("64") int modelCacheSize,
        String masterKey,
        @NotNull @DurationMin(millis = 0) @DefaultValue("10s") Duration credentialCacheTtl,
        @NotBlank @DefaultValue("http://127.0.0.1:8080") String gatewayUrl,
        String gatewayApiKey,
        @NotNull @DurationMin(millis = 1) @DefaultValue("60s") Duration toolTimeout,
        List<String> internalHosts) {

    public AgentRunnerProperties {
        internalHosts = internalHosts == null ? List.of() : List.copyOf(internalHosts);
    }

    @Override
    public String toString() {
        return "AgentRunnerProperties[concurrency=" + concurrency
                + ", providerTimeout=" + providerTimeout + ", masterKey=" + (masterKey == null || masterKey.isBlank()
                ? "unset" : "set") + ", gatewayUrl=" + gatewayUrl + ", gatewayApiKey="
                + (gatewayApiKey == null || gatewayApiKey.isBlank() ? "unset" : "set") + ", internalHosts=" + internalHosts + "]";
    }
}
