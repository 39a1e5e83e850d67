package ai.mule.runner.wasm;

import ai.mule.runner.wasm.execution.WasmStepExecutor;
import ai.mule.runner.wasm.modules.CompiledModuleCache;
import ai.mule.runner.wasm.modules.ModuleCompiler;
import ai.mule.runner.wasm.modules.ModuleStore;
import ai.mule.runner.wasm.steps.KafkaClientProperties;
import ai.mule.runner.wasm.steps.StepCommandConsumer;
import ai.mule.runner.wasm.steps.WasmStepHandler;
import java.time.Clock;
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
    WasmStepHandler wasmStepHandler(CompiledModuleCache modules, WasmStepExecutor executor,
                                    WasmRunnerProperties properties) {
        return new WasmStepHandler(modules, executor, Math.toIntExact(properties.maxResultSize().toBytes()),
                Clock.systemUTC());
    }

    @Bean
    StepCommandConsumer stepCommandConsumer(KafkaClientProperties kafka, WasmStepHandler handler,
                                            WasmRunnerProperties properties) {
        return new StepCommandConsumer(kafka, handler, properties.effectiveConcurrency(), properties.shutdownGrace());
    }
}
