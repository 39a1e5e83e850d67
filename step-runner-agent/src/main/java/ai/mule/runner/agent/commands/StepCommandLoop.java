package ai.mule.runner.agent.commands;

import ai.mule.runner.agent.execution.AgentStepExecutor;
import ai.mule.schemas.StepCommand;
import ai.mule.schemas.StepResult;
import ai.mule.schemas.Topic;
import ai.mule.schemas.Topics;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Consumes {@code mule.steps.agent} and runs each command on a bounded pool of workers: agent calls wait
 * seconds on a provider, so the consumer thread only dispatches, and it never blocks long enough to miss
 * a poll (which would rebalance the group). When every worker is busy it pauses its partitions and keeps
 * polling; it resumes as soon as a worker frees up.
 *
 * <p>At least once: a command's offset is committed only after its result is acknowledged by Kafka (see
 * {@link PartitionProgress}); a crash repeats the steps that were running, and the orchestrator drops
 * the duplicate results by (job, step index, attempt). Records that cannot be read are logged and
 * skipped: they name no job to report to.
 *
 * <p>All consumer calls happen on the one consumer thread; workers touch only thread-safe progress.
 */
public class StepCommandLoop implements SmartLifecycle {

    /** The consumer group of every agent runner; the gateway's /health looks for its members. */
    public static final String GROUP_ID = "mule-step-runner-agent";

    private static final Logger log = LoggerFactory.getLogger(StepCommandLoop.class);
    private static final Topic<String, StepCommand> TOPIC = Topics.STEPS_AGENT;
    private static final Duration RESTART_BACKOFF = Duration.ofSeconds(5);

    private final Supplier<Consumer<String, byte[]>> consumers;
    private final AgentStepExecutor executor;
    private final ResultPublisher publisher;
    private final ExecutorService workers;
    private final WorkInFlight inFlight;
    private final Duration pollTimeout;
    private final Duration shutdownTimeout;
    /** Consumer thread only. */
    private final Map<TopicPartition, PartitionProgress> progress = new HashMap<>();

    private volatile boolean running;
    private Thread thread;

    /**
     * @param workers       runs the steps; its size is the runner's concurrency
     * @param maxInFlight   commands taken from Kafka and not finished before the partitions are paused
     */
    public StepCommandLoop(Supplier<Consumer<String, byte[]>> consumers, AgentStepExecutor executor,
                           ResultPublisher publisher, ExecutorService workers, int maxInFlight,
                           Duration pollTimeout, Duration shutdownTimeout) {
        this.consumers = consumers;
        this.executor = executor;
        this.publisher = publisher;
        this.workers = workers;
        this.inFlight = new WorkInFlight(maxInFlight);
        this.pollTimeout = pollTimeout;
        this.shutdownTimeout = shutdownTimeout;
    }

    @Override
    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        // not a daemon: with no web server, this thread is what keeps the runner's JVM alive
        thread = new Thread(this::run, "agent-step-commands");
        thread.start();
    }

    @Override
    public synchronized void stop() {
        if (!running) {
            return;
        }
        // the consumer thread sees this within one poll timeout, then drains and closes
        running = false;
        try {
            thread.join(shutdownTimeout.plusSeconds(15).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            log.warn("the step command loop did not stop in time");
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    private void run() {
        log.info("consuming {} as group {}", TOPIC.name(), GROUP_ID);
        while (running) {
            try (Consumer<String, byte[]> consumer = consumers.get()) {
                consume(consumer);
            } catch (RuntimeException e) {
                // e.g. authorization or a broken broker: start over with a fresh consumer rather than die
                log.error("step command consumer failed, restarting in {}", RESTART_BACKOFF, e);
                pause(RESTART_BACKOFF);
            }
        }
        drainWorkers();
        log.info("stopped consuming {}", TOPIC.name());
    }

    private void consume(Consumer<String, byte[]> consumer) {
        consumer.subscribe(List.of(TOPIC.name()), new Rebalance(consumer));
        try {
            while (running) {
                pollOnce(consumer);
            }
            // stopping: let running steps report, then commit what they finished
            drainWorkers();
        } finally {
            commit(consumer, true);
            progress.clear();
        }
    }

    private void pollOnce(Consumer<String, byte[]> consumer) {
        if (inFlight.isFull()) {
            consumer.pause(consumer.assignment());
            try {
                inFlight.awaitRoom(pollTimeout);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running = false;
                return;
            }
        }
        if (!inFlight.isFull() && !consumer.paused().isEmpty()) {
            consumer.resume(consumer.paused());
        }
        // paused: poll only to stay in the group and take part in rebalances
        Duration timeout = consumer.paused().isEmpty() ? pollTimeout : Duration.ZERO;
        for (ConsumerRecord<String, byte[]> record : consumer.poll(timeout)) {
            dispatch(record);
        }
        commit(consumer, false);
    }

    private void dispatch(ConsumerRecord<String, byte[]> record) {
        TopicPartition partition = new TopicPartition(record.topic(), record.partition());
        PartitionProgress partitionProgress = progress.computeIfAbsent(partition, p -> new PartitionProgress());
        partitionProgress.dispatched(record.offset());
        inFlight.add();
        workers.execute(() -> work(record, partitionProgress));
    }

    /** On a worker: run the step, publish its result, and only then let its offset be committed. */
    private void work(ConsumerRecord<String, byte[]> record, PartitionProgress partitionProgress) {
        try {
            StepCommand command = read(record);
            if (command != null) {
                StepResult result = executor.execute(command);
                // interrupted = the runner stopped this step; its "failure" is ours, not the step's
                if (Thread.currentThread().isInterrupted() || !publisher.publish(result)) {
                    log.info("stopped before the result of job {} step {} was published; it will run again",
                            command.jobId(), command.stepIndex());
                    return;
                }
            }
            partitionProgress.completed(record.offset());
        } catch (RuntimeException e) {
            // not transient (the publisher retries those): holding the offset back would stall the partition
            log.error("dropping step command {}-{}@{}", record.topic(), record.partition(), record.offset(), e);
            partitionProgress.completed(record.offset());
        } finally {
            inFlight.remove();
        }
    }

    private static StepCommand read(ConsumerRecord<String, byte[]> record) {
        StepCommand command;
        try {
            command = TOPIC.valueSerde().deserializer().deserialize(record.topic(), record.value());
        } catch (SerializationException e) {
            log.warn("skipping unreadable record {}-{}@{} (key {}): {}", record.topic(), record.partition(),
                    record.offset(), record.key(), e.getMessage());
            return null;
        }
        if (command == null || command.jobId() == null) {
            log.warn("skipping record {}-{}@{} (key {}): no step command with a job id", record.topic(),
                    record.partition(), record.offset(), record.key());
            return null;
        }
        return command;
    }

    private void commit(Consumer<String, byte[]> consumer, boolean sync) {
        commit(consumer, progress.keySet(), sync);
    }

    private void commit(Consumer<String, byte[]> consumer, Collection<TopicPartition> partitions, boolean sync) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition partition : partitions) {
            PartitionProgress p = progress.get(partition);
            if (p != null) {
                p.toCommit().ifPresent(offset -> offsets.put(partition, new OffsetAndMetadata(offset)));
            }
        }
        if (offsets.isEmpty()) {
            return;
        }
        if (!sync) {
            consumer.commitAsync(offsets, (committed, error) -> {
                if (error != null) {
                    log.warn("offset commit failed, retrying with the next one: {}", error.toString());
                    offsets.forEach(this::commitFailed);
                }
            });
            return;
        }
        try {
            consumer.commitSync(offsets);
        } catch (KafkaException e) {
            // the steps after the last commit run again elsewhere; the orchestrator drops their duplicates
            log.warn("offset commit failed: {}", e.toString());
        }
    }

    private void commitFailed(TopicPartition partition, OffsetAndMetadata offset) {
        PartitionProgress p = progress.get(partition);
        if (p != null) {
            p.commitFailed(offset.offset());
        }
    }

    private void drainWorkers() {
        if (workers.isShutdown()) {
            return;
        }
        workers.shutdown();
        try {
            if (!workers.awaitTermination(shutdownTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("agent steps still running after {}: {}; they will run again on another runner",
                        shutdownTimeout, inFlight.count());
                workers.shutdownNow();
                workers.awaitTermination(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            workers.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Commits what finished on partitions that are taken away, and starts fresh progress on partitions
     * given. Steps still running on a revoked partition finish and publish anyway: the new owner runs
     * them again from the committed offset, and the orchestrator keeps the first result.
     */
    private final class Rebalance implements ConsumerRebalanceListener {

        private final Consumer<String, byte[]> consumer;

        Rebalance(Consumer<String, byte[]> consumer) {
            this.consumer = consumer;
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            commit(consumer, partitions, true);
            partitions.forEach(progress::remove);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            partitions.forEach(progress::remove);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            partitions.forEach(partition -> progress.put(partition, new PartitionProgress()));
            log.info("assigned {}", partitions);
        }
    }
}
