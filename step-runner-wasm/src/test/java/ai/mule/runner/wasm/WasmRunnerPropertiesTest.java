package ai.mule.runner.wasm;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

class WasmRunnerPropertiesTest {

    @Configuration
    @EnableConfigurationProperties(WasmRunnerProperties.class)
    static class PropertiesOnly {
    }

    private final ApplicationContextRunner context = new ApplicationContextRunner().withUserConfiguration(PropertiesOnly.class);

    @Test
    void hasDefaultsForEverySetting() {
        context.run(ctx -> {
            WasmRunnerProperties properties = ctx.getBean(WasmRunnerProperties.class);
            assertThat(properties.effectiveConcurrency()).isEqualTo(Runtime.getRuntime().availableProcessors());
            assertThat(properties.limits().timeout()).isEqualTo(Duration.ofSeconds(30));
            assertThat(properties.limits().maxMemoryPages()).isEqualTo(1024);
            assertThat(properties.limits().maxStdoutBytes()).isEqualTo(1 << 20);
            assertThat(properties.limits().maxStderrBytes()).isEqualTo(1 << 20);
            assertThat(properties.moduleCacheSize()).isEqualTo(64);
            assertThat(properties.compile()).isTrue();
            assertThat(properties.maxResultSize()).as("unset: mule.limits.max-record-bytes applies").isNull();
            assertThat(properties.shutdownGrace()).isEqualTo(Duration.ofSeconds(10));
        });
    }

    @Test
    void bindsOverrides() {
        context.withPropertyValues("mule.runner.wasm.concurrency=3", "mule.runner.wasm.default-timeout=250ms",
                        "mule.runner.wasm.max-stdout=64KB")
                .run(ctx -> {
                    WasmRunnerProperties properties = ctx.getBean(WasmRunnerProperties.class);
                    assertThat(properties.effectiveConcurrency()).isEqualTo(3);
                    assertThat(properties.limits().timeout()).isEqualTo(Duration.ofMillis(250));
                    assertThat(properties.limits().maxStdoutBytes()).isEqualTo(65_536);
                });
    }

    @Test
    void refusesBadValuesAtStartUp() {
        for (String bad : new String[] {"mule.runner.wasm.concurrency=0", "mule.runner.wasm.max-memory-pages=70000",
                "mule.runner.wasm.default-timeout=0s", "mule.runner.wasm.max-stderr=0B",
                "mule.runner.wasm.max-result-size=1KB", "mule.runner.wasm.module-cache-size=-1"}) {
            context.withPropertyValues(bad).run(ctx -> assertThat(ctx).as(bad).hasFailed());
        }
    }
}
