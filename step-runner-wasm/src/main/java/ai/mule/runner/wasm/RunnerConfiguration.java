package ai.mule.runner.wasm;

import ai.mule.kafka.KafkaClientConfig;
import ai.mule.runner.runtime.KafkaClients;
import ai.mule.runner.runtime.RunnerSettings;
import ai.mule.runner.runtime.StepRunner;
import ai.mule.runner.runtime.StepRunnerHealth;
import ai.mule.runner.wasm.execution.MountResolver;
import ai.mule.runner.wasm.execution.WasmStepExecutor;
import ai.mule.runner.wasm.host.GatewayClient;
import ai.mule.runner.wasm.host.MuleHostFactory;
import ai.mule.runner.wasm.modules.CompiledModuleCache;
import ai.mule.runner.wasm.modules.ModuleCompiler;
import ai.mule.runner.wasm.modules.ModuleStore;
import ai.mule.runner.wasm.steps.WasmStepHandler;
import ai.mule.schemas.Limits;
import ai.mule.schemas.Topics;
import ai.mule.tracing.Tracing;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.JdbcTemplate;

@Configuration(proxyBeanMethods = false)
@Import(StepRunnerHealth.class)
@EnableConfigurationProperties(WasmRunnerProperties.class)
class RunnerConfiguration {

    /** The runner's consumer group; the gateway's readiness looks for its members. */
    static final String GROUP_ID = "mule-step-runner-wasm";

    /** The pipeline's limits ({@code mule.limits.*}, the same for every service). */
    @Bean
    Limits limits(Environment environment) {
        return Limits.from(environment::getProperty);
    }

    @Bean(destroyMethod = "close")
    WasmStepExecutor wasmStepExecutor(WasmRunnerProperties properties, Limits limits) {
        return new WasmStepExecutor(properties.limits(), limits);
    }

    @Bean
    CompiledModuleCache compiledModuleCache(JdbcTemplate jdbc, WasmRunnerProperties properties) {
        return new CompiledModuleCache(new ModuleStore(jdbc), new ModuleCompiler(properties.compile()),
                properties.moduleCacheSize());
    }

    @Bean
    MuleHostFactory muleHostFactory(WasmRunnerProperties properties) {
        // redirects are not followed: a redirect could lead a module past its host allowlist
        HttpClient http = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        return new MuleHostFactory(new GatewayClient(properties.gatewayUrl(), http, properties.gatewayApiKey()),
                Math.toIntExact(properties.maxHttpResponse().toBytes()), properties.internalHosts());
    }

    @Bean
    WasmStepHandler wasmStepHandler(CompiledModuleCache modules, WasmStepExecutor executor, MuleHostFactory hosts,
                                    WasmRunnerProperties properties) {
        return new WasmStepHandler(modules, executor, Clock.systemUTC(), hosts, new MountResolver(properties.mountRoot()));
    }

    /** Kafka as every service has it ({@code MULE_KAFKA_*}, {@link KafkaClientConfig}); limits from {@code mule.limits.*}. */
    @Bean(initMethod = "start", destroyMethod = "close")
    StepRunner stepRunner(WasmStepHandler handler, WasmRunnerProperties properties, KafkaClientConfig kafka,
                          Limits limits, MeterRegistry meters, Tracing tracing) {
        return new StepRunner(new RunnerSettings(Topics.STEPS_WASM, GROUP_ID, properties.effectiveConcurrency(),
                properties.shutdownGrace(), new KafkaClients(kafka), properties.withResultSize(limits)), handler,
                meters, tracing);
    }
}
