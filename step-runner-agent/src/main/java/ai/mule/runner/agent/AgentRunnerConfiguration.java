package ai.mule.runner.agent;

import ai.mule.runner.agent.commands.ResultPublisher;
import ai.mule.runner.agent.commands.StepCommandLoop;
import ai.mule.runner.agent.execution.AgentStepExecutor;
import ai.mule.runner.agent.execution.CachingProviderCredentials;
import ai.mule.runner.agent.execution.ChatModels;
import ai.mule.runner.agent.execution.JdbcProviderCredentials;
import ai.mule.runner.agent.execution.ProviderCredentials;
import ai.mule.runner.agent.tools.AgentToolbox;
import ai.mule.schemas.StepResult;
import ai.mule.schemas.Topics;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;

@Configuration(proxyBeanMethods = false)
class AgentRunnerConfiguration {

    @Bean
    ProviderCredentials providerCredentials(JdbcClient jdbc, AgentRunnerProperties properties) {
        return new CachingProviderCredentials(new JdbcProviderCredentials(jdbc, properties.masterKey()),
                properties.credentialCacheTtl());
    }

    @Bean
    AgentStepExecutor agentStepExecutor(ProviderCredentials credentials, AgentRunnerProperties properties) {
        ChatModels models = new ChatModels(properties.providerTimeout(), properties.modelCacheSize());
        AgentToolbox toolbox = new AgentToolbox(properties.gatewayUrl(), properties.gatewayApiKey(),
                properties.toolTimeout());
        return new AgentStepExecutor(credentials, models, Clock.systemUTC(), toolbox);
    }

    @Bean(destroyMethod = "close")
    ResultPublisher resultPublisher(AgentRunnerProperties properties) {
        Map<String, Object> config = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, properties.bootstrapServers(),
                ProducerConfig.CLIENT_ID_CONFIG, StepCommandLoop.GROUP_ID + "-results",
                // a result waits for no batch: a step's latency is the pipeline's latency
                ProducerConfig.LINGER_MS_CONFIG, 0,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        KafkaProducer<String, StepResult> producer = new KafkaProducer<>(config,
                Topics.STEP_RESULTS.keySerde().serializer(), Topics.STEP_RESULTS.valueSerde().serializer());
        return new ResultPublisher(producer, Duration.ofSeconds(1));
    }

    @Bean
    StepCommandLoop stepCommandLoop(AgentStepExecutor executor, ResultPublisher publisher,
                                    AgentRunnerProperties properties) {
        int concurrency = properties.concurrency();
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, properties.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, StepCommandLoop.GROUP_ID,
                // take the orchestrator's commands before its transaction commits (as LittleHorse does):
                // waiting for the commit would add its commit interval to every step; runners are
                // at-least-once anyway and the orchestrator drops duplicate results
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                // a new group runs the commands already waiting rather than skipping them
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                // one poll takes no more than the workers can start, so few commands wait in this process
                // while another runner of the group is idle
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, concurrency,
                // a runner joining or leaving does not stop the others' partitions
                ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        ExecutorService workers = Executors.newFixedThreadPool(concurrency, workerThreads());
        return new StepCommandLoop(
                () -> new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer()),
                executor, publisher, workers, concurrency, properties.pollTimeout(), properties.shutdownTimeout());
    }

    private static ThreadFactory workerThreads() {
        AtomicInteger count = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "agent-step-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
