package ai.mule.runner.agent;

import ai.mule.kafka.KafkaClientConfig;
import ai.mule.runner.agent.execution.AgentStepExecutor;
import ai.mule.runner.agent.execution.CachingProviderCredentials;
import ai.mule.runner.agent.execution.ChatModels;
import ai.mule.runner.agent.execution.JdbcProviderCredentials;
import ai.mule.runner.agent.execution.ProviderCredentials;
import ai.mule.runner.agent.tools.AgentToolbox;
import ai.mule.runner.runtime.KafkaClients;
import ai.mule.runner.runtime.RunnerSettings;
import ai.mule.runner.runtime.StepRunner;
import ai.mule.runner.runtime.StepRunnerHealth;
import ai.mule.schemas.Limits;
import ai.mule.schemas.Topics;
import ai.mule.tracing.Tracing;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.simple.JdbcClient;

@Configuration(proxyBeanMethods = false)
@Import(StepRunnerHealth.class)
class AgentRunnerConfiguration {

    /** The consumer group of every agent runner; the gateway's readiness looks for its members. */
    static final String GROUP_ID = "mule-step-runner-agent";

    @Bean
    ProviderCredentials providerCredentials(JdbcClient jdbc, AgentRunnerProperties properties) {
        return new CachingProviderCredentials(new JdbcProviderCredentials(jdbc, properties.masterKey()),
                properties.credentialCacheTtl());
    }

    @Bean
    AgentStepExecutor agentStepExecutor(ProviderCredentials credentials, AgentRunnerProperties properties,
                                        Environment environment) {
        // the gateway's setting: one list of internal provider hosts for both services
        ChatModels models = new ChatModels(properties.providerTimeout(), properties.modelCacheSize(),
                environment.getProperty("mule.providers.internal-hosts"));
        AgentToolbox toolbox = new AgentToolbox(properties.gatewayUrl(), properties.gatewayApiKey(),
                properties.toolTimeout(), properties.internalHosts());
        return new AgentStepExecutor(credentials, models, Clock.systemUTC(), toolbox);
    }

    /** Kafka as every service has it ({@code MULE_KAFKA_*}, {@link KafkaClientConfig}); limits from {@code mule.limits.*}. */
    @Bean(initMethod = "start", destroyMethod = "close")
    StepRunner stepRunner(AgentStepExecutor executor, AgentRunnerProperties properties, KafkaClientConfig kafka,
                          Environment environment, MeterRegistry meters, Tracing tracing) {
        return new StepRunner(new RunnerSettings(Topics.STEPS_AGENT, GROUP_ID, properties.concurrency(),
                properties.shutdownTimeout(), new KafkaClients(kafka), Limits.from(environment::getProperty)), executor,
                meters, tracing);
    }
}
