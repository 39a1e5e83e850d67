package ai.mule.orchestrator;

import ai.mule.kafka.KafkaProperties;
import static org.assertj.core.api.Assertions.assertThat;

import ai.mule.orchestrator.jobs.OrchestratorProperties;
import ai.mule.orchestrator.status.StatusWriterProperties;
import ai.mule.schemas.Limits;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.ConfigDataApplicationContextInitializer;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/** The service is configured by environment variables, and bad values stop it at start-up. */
class ConfigurationBindingTest {

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties({KafkaProperties.class, OrchestratorProperties.class, StatusWriterProperties.class})
    static class PropertiesOnly {
    }

    private final ApplicationContextRunner context = new ApplicationContextRunner()
            .withInitializer(new ConfigDataApplicationContextInitializer())
            .withUserConfiguration(PropertiesOnly.class);

    @Test
    void defaultsNeedNoEnvironment() {
        context.run(app -> {
            assertThat(app).hasNotFailed();
            assertThat(app.getBean(KafkaProperties.class).bootstrapServers()).isEqualTo("127.0.0.1:9092");
            OrchestratorProperties orchestrator = app.getBean(OrchestratorProperties.class);
            assertThat(orchestrator.applicationId()).isEqualTo("mule-orchestrator");
            assertThat(orchestrator.stateDir()).endsWith("mule-streams");
            assertThat(orchestrator.commitInterval()).isEqualTo(Duration.ofMillis(100));
            assertThat(orchestrator.producerRetryBackoff()).isEqualTo(Duration.ofMillis(2));
            assertThat(orchestrator.terminalRetention()).isEqualTo(Duration.ofHours(24));
            assertThat(orchestrator.threadReplacements()).isEqualTo(3);
            assertThat(orchestrator.threadReplacementWindow()).isEqualTo(Duration.ofMinutes(10));
            assertThat(Limits.from(app.getEnvironment()::getProperty)).isEqualTo(Limits.DEFAULTS);
            assertThat(app.getBean(StatusWriterProperties.class).groupId()).isEqualTo("mule-job-status-writer");
            assertThat(app.getEnvironment().getProperty("spring.datasource.url"))
                    .isEqualTo("jdbc:postgresql://127.0.0.1:5432/mule");
        });
    }

    @Test
    void environmentVariablesOverrideTheDefaults() {
        context.withInitializer(app -> app.getEnvironment().getPropertySources().addFirst(
                        new SystemEnvironmentPropertySource("test-systemEnvironment", Map.of(
                                "MULE_KAFKA_BOOTSTRAP_SERVERS", "kafka-1:9092,kafka-2:9092",
                                "MULE_STATE_DIR", "/var/lib/mule/streams",
                                "MULE_DB_URL", "jdbc:postgresql://db:5432/jobs",
                                "MULE_ORCHESTRATOR_COMMIT_INTERVAL", "50ms",
                                "MULE_ORCHESTRATOR_TERMINALRETENTION", "2h",
                                "MULE_LIMITS_MAX_RECORD_BYTES", "4000000",
                                "MULE_LIMITS_MAX_JSON_DEPTH", "32"))))
                .run(app -> {
                    assertThat(app).hasNotFailed();
                    assertThat(app.getBean(KafkaProperties.class).bootstrapServers())
                            .isEqualTo("kafka-1:9092,kafka-2:9092");
                    OrchestratorProperties orchestrator = app.getBean(OrchestratorProperties.class);
                    assertThat(orchestrator.stateDir()).isEqualTo("/var/lib/mule/streams");
                    assertThat(orchestrator.commitInterval()).isEqualTo(Duration.ofMillis(50));
                    assertThat(orchestrator.terminalRetention()).isEqualTo(Duration.ofHours(2));
                    Limits limits = Limits.from(app.getEnvironment()::getProperty);
                    assertThat(limits.maxRecordBytes()).isEqualTo(4_000_000);
                    assertThat(limits.maxJsonDepth()).isEqualTo(32);
                    assertThat(limits.maxStepOutputBytes()).isEqualTo(Limits.DEFAULTS.maxStepOutputBytes());
                    assertThat(app.getEnvironment().getProperty("spring.datasource.url"))
                            .isEqualTo("jdbc:postgresql://db:5432/jobs");
                });
    }

    @Test
    void anInvalidValueFailsAtStartUp() {
        context.withPropertyValues("mule.orchestrator.commit-interval=0ms").run(app -> {
            assertThat(app).hasFailed();
            assertThat(app.getStartupFailure()).rootCause().hasMessageContaining("commitInterval");
        });
    }
}
