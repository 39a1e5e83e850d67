package ai.mule.orchestrator.jobs;

import ai.mule.orchestrator.MuleKafkaProperties;
import java.time.Clock;
import org.apache.kafka.streams.StreamsBuilder;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class OrchestratorConfiguration {

    @Bean
    OrchestratorStreams orchestratorStreams(OrchestratorProperties properties, MuleKafkaProperties kafka, Clock clock,
                                            ConfigurableApplicationContext context) {
        return new OrchestratorStreams(
                OrchestratorTopology.build(new StreamsBuilder(), clock, properties),
                OrchestratorStreamsConfig.of(properties, kafka.bootstrapServers()),
                () -> System.exit(SpringApplication.exit(context, () -> 1)));
    }
}
