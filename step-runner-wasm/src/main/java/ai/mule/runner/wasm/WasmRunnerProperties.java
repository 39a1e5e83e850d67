package ai.mule.runner.wasm;

import ai.mule.runner.wasm.execution.WasmLimits;
import ai.mule.schemas.Limits;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * The runner's settings, each overridable by environment ({@code MULE_RUNNER_WASM_CONCURRENCY=4},
 * {@code MULE_RUNNER_WASM_DEFAULT_TIMEOUT=10s}, {@code MULE_RUNNER_WASM_MAX_STDOUT=256KB}...). Bad values
 * stop the runner at start-up.
 *
 * @param concurrency    steps run at once; unset means one per available processor
 * @param defaultTimeout wall-clock limit of a run given no step (each step carries its own: policy.timeout_ms)
 * @param maxMemoryPages linear memory ceiling per run, in 64 KiB pages (1024 = 64 MiB)
 * @param maxStdout      stdout cap per run; writing more fails the step
 * @param maxStderr      stderr cap per run; writing more fails the step
 * @param moduleCacheSize compiled modules kept in memory
 * @param compile        compile modules to JVM bytecode (false: interpret every module)
 * @param maxResultSize  deprecated: largest result message, now {@code mule.limits.max-record-bytes} for every
 *                       service; when set, it lowers that limit for this runner's results
 * @param shutdownGrace  how long running steps may finish when the runner stops, or partitions move away
 * @param gatewayUrl     the gateway's HTTP API, for the host functions that start workflows, ask agents and
 *                       read jobs ({@code MULE_RUNNER_WASM_GATEWAY_URL}; default {@code http://127.0.0.1:$MULE_HTTP_PORT})
 * @param gatewayApiKey  the API key those calls send ({@code MULE_RUNNER_WASM_GATEWAY_API_KEY}) when the gateway
 *                       asks for keys; give it one from {@code /api/v1/api-keys} or {@code MULE_API_KEYS}
 * @param maxHttpResponse largest response body a module's {@code http_request} may receive
 * @param mountRoot      the only host directory a step may mount (read-only) below; unset: no mounts
 * @param internalHosts  loopback/private hosts ({@code host} or {@code host:port}) a step's http allowlist may name;
 *                       empty (the default): modules reach public hosts only
 */
@ConfigurationProperties("mule.runner.wasm")
@Validated
public record WasmRunnerProperties(@Positive Integer concurrency,
                                   @NotNull @DefaultValue("30s") Duration defaultTimeout,
                                   @Min(1) @Max(65536) @DefaultValue("1024") int maxMemoryPages,
                                   @NotNull @DefaultValue("1MB") DataSize maxStdout,
                                   @NotNull @DefaultValue("1MB") DataSize maxStderr,
                                   @Positive @DefaultValue("64") int moduleCacheSize,
                                   @DefaultValue("true") boolean compile,
                                   DataSize maxResultSize,
                                   @NotNull @DefaultValue("10s") Duration shutdownGrace,
                                   @NotNull @DefaultValue("http://127.0.0.1:8080") URI gatewayUrl,
                                   String gatewayApiKey,
                                   @NotNull @DefaultValue("1MB") DataSize maxHttpResponse,
                                   Path mountRoot,
                                   List<String> internalHosts) {

    private static final DataSize MIN_RESULT_SIZE = DataSize.ofKilobytes(256);

    public WasmRunnerProperties {
        internalHosts = internalHosts == null ? List.of() : List.copyOf(internalHosts);
        requirePositive("default-timeout", defaultTimeout);
        requirePositive("shutdown-grace", shutdownGrace);
        requireBytes("max-stdout", maxStdout, DataSize.ofBytes(1));
        requireBytes("max-stderr", maxStderr, DataSize.ofBytes(1));
        requireBytes("max-result-size", maxResultSize, MIN_RESULT_SIZE);
        requireBytes("max-http-response", maxHttpResponse, DataSize.ofBytes(1));
    }

    public int effectiveConcurrency() {
        return concurrency != null ? concurrency : Runtime.getRuntime().availableProcessors();
    }

    /** The limits with {@code max-result-size}, if set, as the record size limit of this runner's results. */
    public Limits withResultSize(Limits limits) {
        if (maxResultSize == null) {
            return limits;
        }
        return limits.withMaxRecordBytes(Math.toIntExact(maxResultSize.toBytes()));
    }

    public WasmLimits limits() {
        return new WasmLimits(defaultTimeout, maxMemoryPages, Math.toIntExact(maxStdout.toBytes()),
                Math.toIntExact(maxStderr.toBytes()));
    }

    private static void requirePositive(String name, Duration value) {
        if (value != null && (value.isZero() || value.isNegative())) {
            throw new IllegalArgumentException("mule.runner.wasm." + name + " must be positive, not " + value);
        }
    }

    private static void requireBytes(String name, DataSize value, DataSize min) {
        if (value != null && (value.toBytes() < min.toBytes() || value.toBytes() > Integer.MAX_VALUE)) {
            throw new IllegalArgumentException("mule.runner.wasm." + name + " must be within " + min + " and 2GB, not "
                    + value);
        }
    }

    /** Without the gateway API key: these settings may end up in logs. */
    @Override
    public String toString() {
        return "WasmRunnerProperties[concurrency=" + concurrency + ", defaultTimeout=" + defaultTimeout
                + ", maxMemoryPages=" + maxMemoryPages + ", maxStdout=" + maxStdout + ", maxStderr=" + maxStderr
                + ", compile=" + compile + ", gatewayUrl=" + gatewayUrl + ", gatewayApiKey="
                + (gatewayApiKey == null || gatewayApiKey.isBlank() ? "unset" : "set") + ", mountRoot=" + mountRoot
                + ", internalHosts=" + internalHosts + "]";
    }
}
