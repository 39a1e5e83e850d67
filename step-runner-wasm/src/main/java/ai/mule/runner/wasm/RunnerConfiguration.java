package ai.mule.runner.wasm;

import ai.mule.runner.runtime.KafkaClients;
import ai.mule.runner.runtime.RunnerSettings;
import ai.mule.runner.runtime.StepRunner;
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
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.JdbcTemplate;

@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(WasmRunnerProperties.class)
class RunnerConfiguration {

    /** The runner's consumer group; the gateway's readiness looks for its members. */
    static final String GROUP_ID = "mule-step-runner-wasm";

    @Bean(destroyMethod = "close")
    WasmStepExecutor wasmStepExecutor(WasmRunnerProperties properties) {
        return new WasmStepExecutor(properties.limits());
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

    /** Kafka from {@code mule.kafka.*} ({@code MULE_KAFKA_BOOTSTRAP_SERVERS}, client properties), limits from {@code mule.limits.*}. */
    @Bean(initMethod = "start", destroyMethod = "close")
    StepRunner stepRunner(WasmStepHandler handler, WasmRunnerProperties properties, Environment environment) {
        KafkaClients kafka = Binder.get(environment).bindOrCreate("mule.kafka", KafkaClients.class);
        Limits limits = properties.withResultSize(Limits.from(environment::getProperty));
        return new StepRunner(new RunnerSettings(Topics.STEPS_WASM, GROUP_ID, properties.effectiveConcurrency(),
                properties.shutdownGrace(), kafka, limits), handler);
    }
}
