package ai.mule.runner.wasm;

import ai.mule.runner.wasm.execution.MountResolver;
import ai.mule.runner.wasm.execution.WasmStepExecutor;
import ai.mule.runner.wasm.host.GatewayClient;
import ai.mule.runner.wasm.host.MuleHostFactory;
import ai.mule.runner.wasm.modules.CompiledModuleCache;
import ai.mule.runner.wasm.modules.ModuleCompiler;
import ai.mule.runner.wasm.modules.ModuleStore;
import ai.mule.runner.wasm.steps.CancelledJobs;
import ai.mule.runner.wasm.steps.JobControlListener;
import ai.mule.runner.wasm.steps.KafkaClientProperties;
import ai.mule.runner.wasm.steps.StepCommandConsumer;
import ai.mule.runner.wasm.steps.WasmStepHandler;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({WasmRunnerProperties.class, KafkaClientProperties.class})
class RunnerConfiguration {

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
    CancelledJobs cancelledJobs() {
        return new CancelledJobs();
    }

    @Bean
    JobControlListener jobControlListener(KafkaClientProperties kafka, CancelledJobs cancelled) {
        return new JobControlListener(kafka, cancelled);
    }

    @Bean
    MuleHostFactory muleHostFactory(WasmRunnerProperties properties) {
        // redirects are not followed: a redirect could lead a module past its host allowlist
        HttpClient http = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        return new MuleHostFactory(http, new GatewayClient(properties.gatewayUrl(), http, properties.gatewayApiKey()),
                Math.toIntExact(properties.maxHttpResponse().toBytes()), properties.internalHosts());
    }

    @Bean
    WasmStepHandler wasmStepHandler(CompiledModuleCache modules, WasmStepExecutor executor,
                                    WasmRunnerProperties properties, CancelledJobs cancelled, MuleHostFactory hosts) {
        return new WasmStepHandler(modules, executor, Math.toIntExact(properties.maxResultSize().toBytes()),
                Clock.systemUTC(), cancelled, hosts, new MountResolver(properties.mountRoot()));
    }

    @Bean
    StepCommandConsumer stepCommandConsumer(KafkaClientProperties kafka, WasmStepHandler handler,
                                            WasmRunnerProperties properties) {
        return new StepCommandConsumer(kafka, handler, properties.effectiveConcurrency(), properties.shutdownGrace());
    }
}
