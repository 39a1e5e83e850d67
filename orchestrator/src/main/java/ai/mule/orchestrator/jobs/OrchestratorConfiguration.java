package ai.mule.orchestrator.jobs;

import ai.mule.kafka.KafkaClientConfig;
import ai.mule.schemas.Limits;
import ai.mule.tracing.Tracing;
import java.time.Clock;
import org.apache.kafka.streams.StreamsBuilder;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

@Configuration(proxyBeanMethods = false)
class OrchestratorConfiguration {

    /** The limits every service shares ({@code mule.limits.*}, or {@code MULE_LIMITS_*} in the environment). */
    @Bean
    Limits limits(Environment environment) {
        return Limits.from(environment::getProperty);
    }

    @Bean
    OrchestratorStreams orchestratorStreams(OrchestratorProperties properties, Limits limits, KafkaClientConfig kafka,
                                            Clock clock, Tracing tracing, ConfigurableApplicationContext context) {
        return new OrchestratorStreams(
                OrchestratorTopology.build(new StreamsBuilder(), clock, properties, limits, tracing),
                OrchestratorStreamsConfig.of(properties, limits, kafka),
                new StreamThreadFailures(properties.threadReplacements(), properties.threadReplacementWindow(), clock),
                () -> System.exit(SpringApplication.exit(context, () -> 1)));
    }
}
