package ai.mule.orchestrator;

import ai.mule.schemas.JsonSerde;
import ai.mule.schemas.StepCommand;
import ai.mule.schemas.StepResult;
import ai.mule.schemas.Topics;
import ai.mule.testkit.TestKafka;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Stands in for the WASM and agent runners: consumes step commands from both runner topics (read_uncommitted,
 * as the real runners do) and answers with whatever {@code behaviour} says, or holds the command when it says
 * nothing. Commands of jobs other than the test's are left alone.
 */
final class FakeRunner implements AutoCloseable {

    /** A command as the runner received it, with the topic it came from. */
    record Received(String topic, StepCommand command) {
    }

    private final List<String> jobIds;
    private final Function<StepCommand, Optional<StepResult>> behaviour;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final KafkaConsumer<String, StepCommand> consumer;
    private final KafkaProducer<String, StepResult> producer;
    private final Thread thread;
    private volatile boolean running = true;

    FakeRunner(List<String> jobIds, Function<StepCommand, Optional<StepResult>> behaviour) {
        this.jobIds = List.copyOf(jobIds);
        this.behaviour = behaviour;
        Properties consumerConfig = new Properties();
        consumerConfig.putAll(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "fake-runner-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted"));
        consumer = new KafkaConsumer<>(consumerConfig, new StringDeserializer(),
                new JsonSerde<>(StepCommand.class));
        Properties producerConfig = new Properties();
        producerConfig.putAll(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers(),
                ProducerConfig.LINGER_MS_CONFIG, 0));
        producer = new KafkaProducer<>(producerConfig, new StringSerializer(), Topics.STEP_RESULTS.valueSerde().serializer());
        thread = new Thread(this::run, "fake-runner");
        thread.start();
    }

    List<Received> received() {
        return List.copyOf(received);
    }

    private void run() {
        try {
            consumer.subscribe(List.of(Topics.STEPS_WASM.name(), Topics.STEPS_AGENT.name()));
            while (running) {
                for (ConsumerRecord<String, StepCommand> record : consumer.poll(Duration.ofMillis(100))) {
                    if (jobIds.contains(record.key())) {
                        received.add(new Received(record.topic(), record.value()));
                        behaviour.apply(record.value()).ifPresent(result ->
                                producer.send(new ProducerRecord<>(Topics.STEP_RESULTS.name(), result.jobId(), result)));
                    }
                }
            }
        } catch (WakeupException e) {
            // close() asked us to stop
        } finally {
            consumer.close();
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        thread.join(10_000);
        producer.close();
    }
}
