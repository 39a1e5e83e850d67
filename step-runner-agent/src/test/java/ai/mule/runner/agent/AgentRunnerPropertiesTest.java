package ai.mule.runner.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.validation.ValidationAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** Bad configuration stops the runner at start-up, not at its first step. */
class AgentRunnerPropertiesTest {

    private final ApplicationContextRunner context = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class))
            .withUserConfiguration(Enable.class);

    @Test
    void defaultsSuitAnIoBoundRunner() {
        context.run(started -> {
            AgentRunnerProperties properties = started.getBean(AgentRunnerProperties.class);
            assertThat(properties.concurrency()).isEqualTo(8);
            assertThat(properties.providerTimeout()).isEqualTo(Duration.ofSeconds(120));
            assertThat(properties.shutdownTimeout()).isEqualTo(Duration.ofSeconds(20));
            assertThat(properties.modelCacheSize()).isEqualTo(64);
        });
    }

    @Test
    void settingsOverrideTheDefaults() {
        context.withPropertyValues("mule.runner.agent.concurrency=16", "mule.runner.agent.provider-timeout=30s")
                .run(started -> {
                    AgentRunnerProperties properties = started.getBean(AgentRunnerProperties.class);
                    assertThat(properties.concurrency()).isEqualTo(16);
                    assertThat(properties.providerTimeout()).isEqualTo(Duration.ofSeconds(30));
                });
    }

    @Test
    void aConcurrencyOfZeroIsRefused() {
        context.withPropertyValues("mule.runner.agent.concurrency=0")
                .run(started -> assertThat(started).hasFailed()
                        .getFailure().rootCause().hasMessageContaining("concurrency"));
    }

    @Test
    void aZeroProviderTimeoutIsRefused() {
        context.withPropertyValues("mule.runner.agent.provider-timeout=0s")
                .run(started -> assertThat(started).hasFailed()
                        .getFailure().rootCause().hasMessageContaining("providerTimeout"));
    }

    @EnableConfigurationProperties(AgentRunnerProperties.class)
    static class Enable {
    }
}
