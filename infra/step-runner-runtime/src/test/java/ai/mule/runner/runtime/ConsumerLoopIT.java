package ai.mule.runner.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import ai.mule.schemas.JsonSerde;
import ai.mule.schemas.Limits;
import ai.mule.schemas.StepCommand;
import ai.mule.schemas.StepPolicy;
import ai.mule.schemas.StepResult;
import ai.mule.schemas.Topic;
import ai.mule.schemas.Topics;
import ai.mule.schemas.WasmStep;
import ai.mule.testkit.TestKafka;
import ai.mule.tracing.Tracing;
import com.fasterxml.jackson.databind.node.TextNode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The consumer loop's back-pressure against a real broker: one worker, so every dispatched command pauses the
 * partitions until the worker is free again.
 */
class ConsumerLoopIT {

    private static final int COMMANDS = 20;
    private static final Duration DESCHEDULED = Duration.ofMillis(20);

    private final Topic<String, StepCommand> topic = new Topic<>("test.steps." + UUID.randomUUID(),
            Topics.STEPS_WASM.keySerde(), Topics.STEPS_WASM.valueSerde(), null);

    /**
     * A poll that waits while the partitions are paused can return nothing until its timeout, and every command
     * sent meanwhile waits with it: the loop must not make one. It did when a worker came free between the loop's
     * pause and its next poll, which on a busy machine (the loop's thread descheduled in between) held up the
     * p99 of a step's dispatch by the whole poll timeout.
     */
    @Test
    void theLoopNeverWaitsInAPollWhileItsPartitionsArePaused() throws Exception {
        TestKafka.createTopics(topic.name());
        KafkaClients kafka = KafkaClients.of(TestKafka.bootstrapServers());
        String group = "test-loop-" + UUID.randomUUID();
        AtomicInteger waitsWhilePaused = new AtomicInteger();
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(kafka.commandConsumer(group),
                new StringDeserializer(), new ByteArrayDeserializer()) {
            @Override
            public ConsumerRecords<String, byte[]> poll(Duration timeout) {
                if (!timeout.isZero() && !paused().isEmpty()) {
                    waitsWhilePaused.incrementAndGet();
                }
                return super.poll(timeout);
            }

            /** As if the loop's thread lost its core right after pausing: the worker finishes meanwhile. */
            @Override
            public void pause(Collection<TopicPartition> partitions) {
                super.pause(partitions);
                try {
                    Thread.sleep(DESCHEDULED.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        WorkerPool workers = new WorkerPool(1, "test-loop-step");
        ResultPublisher publisher = new ResultPublisher(new KafkaProducer<>(kafka.producer(group + "-results"),
                new StringSerializer(), new ByteArraySerializer()), group);
        StepWork work = new StepWork((command, cancel) -> StepResult.succeeded(command, TextNode.valueOf("ok"),
                null, null, 0, Instant.now(), null), new RunningSteps(Clock.systemUTC()), publisher, workers,
                Limits.DEFAULTS, Clock.systemUTC(), new RunnerMetrics(null, group), Tracing.off(), topic.name());
        AtomicInteger running = new AtomicInteger(1);
        ConsumerLoop loop = new ConsumerLoop(consumer, topic, workers, work, Duration.ofSeconds(5),
                () -> running.get() == 1);
        Thread thread = new Thread(() -> {
            try {
                loop.run();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "test-consumer-loop");
        thread.start();
        try {
            String job = UUID.randomUUID().toString();
            for (int i = 0; i < COMMANDS; i++) {
                TestKafka.send(topic, job, command(job));
            }

            List<StepResult> results = TestKafka.read(Topics.STEP_RESULTS, job, COMMANDS, Duration.ofSeconds(30));

            assertThat(results).hasSize(COMMANDS);
            assertThat(waitsWhilePaused).as("polls that waited while the partitions were paused").hasValue(0);
        } finally {
            running.set(0);
            thread.join(Duration.ofSeconds(20).toMillis());
            publisher.close();
        }
    }

    private static StepCommand command(String job) {
        WasmStep step = new WasmStep(0, null, "module-id", "m", "0".repeat(64), null,
                new StepPolicy(1, 0, 1.0, 0, 1_000, false));
        return StepCommand.of(job, 0, 1, step, JsonSerde.mapper().createObjectNode(), Instant.now(), null);
    }
}
