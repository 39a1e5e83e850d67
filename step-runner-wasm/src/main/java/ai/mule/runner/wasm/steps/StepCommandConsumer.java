package ai.mule.runner.wasm.steps;

import ai.mule.schemas.StepResult;
import ai.mule.schemas.Topics;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * The runner's member of consumer group {@value #GROUP_ID} on {@code mule.steps.wasm}: starts the
 * consumer thread with the application and stops it cleanly with it (running steps finish, published
 * results are committed).
 * <p>
 * Client settings, on purpose: {@code read_uncommitted}, so commands are seen as soon as the orchestrator
 * writes them, before its transaction commits (runners are at-least-once and the orchestrator drops
 * duplicate results); manual commits; the cooperative assignor, so adding a runner moves only the
 * partitions it takes. Results go out with {@code linger.ms=0}, {@code acks=all} and idempotence.
 */
public final class StepCommandConsumer implements SmartLifecycle {

    public static final String GROUP_ID = "mule-step-runner-wasm";
    private static final Logger log = LoggerFactory.getLogger(StepCommandConsumer.class);

    private final KafkaClientProperties kafka;
    private final WasmStepHandler handler;
    private final int concurrency;
    private final Duration shutdownGrace;
    private volatile boolean running;
    private Thread thread;

    public StepCommandConsumer(KafkaClientProperties kafka, WasmStepHandler handler, int concurrency,
                               Duration shutdownGrace) {
        this.kafka = kafka;
        this.handler = handler;
        this.concurrency = concurrency;
        this.shutdownGrace = shutdownGrace;
    }

    @Override
    public synchronized void start() {
        if (running) {
            return;
        }
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(consumerConfig(), new StringDeserializer(),
                new ByteArrayDeserializer());
        KafkaProducer<String, StepResult> producer = new KafkaProducer<>(producerConfig(),
                Topics.STEP_RESULTS.keySerde().serializer(), Topics.STEP_RESULTS.valueSerde().serializer());
        ConsumerLoop loop = new ConsumerLoop(consumer, new WorkerPool(concurrency), new ResultPublisher(producer), handler,
                shutdownGrace, () -> running);
        running = true;
        thread = new Thread(loop::run, "wasm-step-consumer");
        thread.start();
        log.info("consuming {} in group {} with {} workers", Topics.STEPS_WASM.name(), GROUP_ID, concurrency);
    }

    @Override
    public void stop() {
        Thread stopping;
        synchronized (this) {
            running = false;
            stopping = thread;
            thread = null;
        }
        if (stopping == null) {
            return;
        }
        try {
            // the loop's own shutdown is bounded by the grace period plus a few client timeouts
            stopping.join(shutdownGrace.plusSeconds(20).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (stopping.isAlive()) {
            log.warn("the step command consumer did not stop in time");
        } else {
            log.info("stopped consuming {}", Topics.STEPS_WASM.name());
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    private Map<String, Object> consumerConfig() {
        Map<String, Object> config = new HashMap<>(kafka.properties());
        config.putAll(kafka.consumer());
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, GROUP_ID);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
        config.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        // a new group starts with the commands already waiting, not only those sent after it joined
        config.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        return config;
    }

    private Map<String, Object> producerConfig() {
        Map<String, Object> config = new HashMap<>(kafka.properties());
        config.putAll(kafka.producer());
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        return config;
    }
}
