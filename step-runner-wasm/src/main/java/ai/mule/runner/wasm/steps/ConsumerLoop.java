package ai.mule.runner.wasm.steps;

import ai.mule.schemas.StepCommand;
import ai.mule.schemas.Topics;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consumer thread's loop: poll commands, hand them to free workers, commit what was published.
 * <p>
 * Why this shape. A module may run for its whole timeout, longer than Kafka lets a consumer go without
 * polling, so runs never happen on this thread: it keeps polling while workers run. When every worker is
 * busy, polled commands wait in a small backlog and every assigned partition is paused, so polls go on
 * (the member stays in the group, no rebalance) but fetch nothing more; partitions resume as soon as
 * the backlog is handed out. Offsets are committed only up to commands whose results the broker
 * acknowledged ({@link OffsetLedger}): a crash re-runs a step rather than loses it, and the orchestrator
 * drops the duplicate result.
 * <p>
 * Everything here runs on the consumer thread, except {@link #execute} (worker threads) and the
 * acknowledgements, which reach this thread through a queue.
 */
final class ConsumerLoop implements ConsumerRebalanceListener {

    private static final Logger log = LoggerFactory.getLogger(ConsumerLoop.class);
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(200);
    // while commands wait for a worker: how long to wait for one before polling again (for liveness)
    private static final Duration WORKER_WAIT = Duration.ofMillis(100);

    private final Consumer<String, byte[]> consumer;
    private final WorkerPool workers;
    private final ResultPublisher publisher;
    private final WasmStepHandler handler;
    private final Duration grace;
    private final BooleanSupplier running;
    private final OffsetLedger ledger = new OffsetLedger();
    private final ArrayDeque<ConsumerRecord<String, byte[]>> backlog = new ArrayDeque<>();
    private final Queue<Acked> acked = new ConcurrentLinkedQueue<>();

    private record Acked(TopicPartition partition, long offset) {
    }

    ConsumerLoop(Consumer<String, byte[]> consumer, WorkerPool workers, ResultPublisher publisher,
                 WasmStepHandler handler, Duration grace, BooleanSupplier running) {
        this.consumer = consumer;
        this.workers = workers;
        this.publisher = publisher;
        this.handler = handler;
        this.grace = grace;
        this.running = running;
    }

    void run() {
        consumer.subscribe(List.of(Topics.STEPS_WASM.name()), this);
        try {
            while (running.getAsBoolean()) {
                try {
                    iterate();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                } catch (RuntimeException e) {
                    // e.g. a Kafka error the client does not retry itself: a crashed loop would leave the runner
                    // alive and idle, so log it and go on
                    log.error("the step command consumer hit an error; going on in 1 s", e);
                    Thread.sleep(1_000);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            shutdown();
        }
    }

    private void iterate() throws InterruptedException {
        boolean waiting = !backlog.isEmpty() || !workers.hasFreeThread();
        if (waiting) {
            workers.awaitFreeThread(WORKER_WAIT);
        }
        consumer.poll(waiting ? Duration.ZERO : POLL_TIMEOUT).forEach(backlog::add);
        settleAcks();
        dispatch();
        commitAsync();
        applyBackPressure();
    }

    private void dispatch() {
        while (!backlog.isEmpty() && workers.hasFreeThread()) {
            ConsumerRecord<String, byte[]> record = backlog.poll();
            TopicPartition partition = new TopicPartition(record.topic(), record.partition());
            long offset = record.offset();
            ledger.dispatched(partition, offset);
            StepCommand command = decode(record);
            if (command == null) {
                ledger.done(partition, offset);
            } else {
                // only this thread takes threads, so the free one seen above is still free
                workers.trySubmit(() -> execute(command, partition, offset));
            }
        }
    }

    /** On a worker thread: run the step, publish its result, report the acknowledgement to the loop. */
    private void execute(StepCommand command, TopicPartition partition, long offset) {
        handler.handle(command).ifPresentOrElse(
                result -> publisher.publish(command, result, () -> acked.add(new Acked(partition, offset))),
                () -> log.info("job {} step {} attempt {}: run interrupted by shutdown; left for another runner",
                        command.jobId(), command.stepIndex(), command.attempt()));
    }

    /** The command, or null for a record that is not one (logged, then skipped: its offset advances). */
    private StepCommand decode(ConsumerRecord<String, byte[]> record) {
        String where = record.topic() + "-" + record.partition() + "@" + record.offset();
        if (record.value() == null) {
            log.warn("skipping {}: empty record (key {})", where, record.key());
            return null;
        }
        try {
            StepCommand command = Topics.STEPS_WASM.valueSerde().deserializer().deserialize(record.topic(), record.value());
            if (command.jobId() == null || command.jobId().isBlank()) {
                log.warn("skipping {}: a step command without job id, nowhere to report to", where);
                return null;
            }
            return command;
        } catch (SerializationException e) {
            log.warn("skipping {}: not a step command ({})", where, e.getMessage());
            return null;
        } catch (RuntimeException e) {
            log.warn("skipping {}: unreadable step command", where, e);
            return null;
        }
    }

    private void settleAcks() {
        for (Acked ack = acked.poll(); ack != null; ack = acked.poll()) {
            ledger.done(ack.partition(), ack.offset());
        }
    }

    private void commitAsync() {
        Map<TopicPartition, OffsetAndMetadata> positions = ledger.advance();
        if (!positions.isEmpty()) {
            // a failed async commit is not retried: a later one, or the final synchronous one, covers it
            consumer.commitAsync(positions, (offsets, error) -> {
                if (error != null) {
                    log.warn("committing {} failed: {}", offsets, error.toString());
                }
            });
        }
    }

    private void commitSync(Collection<TopicPartition> partitions) {
        Map<TopicPartition, OffsetAndMetadata> positions = ledger.positions(partitions);
        if (positions.isEmpty()) {
            return;
        }
        try {
            consumer.commitSync(positions, Duration.ofSeconds(5));
        } catch (KafkaException e) {
            log.warn("committing {} failed: {}; those commands will run again", positions, e.toString());
        }
    }

    private void applyBackPressure() {
        Set<TopicPartition> paused = consumer.paused();
        if (!backlog.isEmpty() || !workers.hasFreeThread()) {
            Set<TopicPartition> toPause = new HashSet<>(consumer.assignment());
            toPause.removeAll(paused);
            if (!toPause.isEmpty()) {
                consumer.pause(toPause);
                log.debug("all {} workers busy: paused {}", workers.busy(), toPause);
            }
        } else if (!paused.isEmpty()) {
            consumer.resume(paused);
            log.debug("a worker is free: resumed {}", paused);
        }
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
        if (partitions.isEmpty()) {
            return;
        }
        // commands not yet handed out go to the partitions' next owner; running ones get a chance to finish
        backlog.removeIf(record -> partitions.contains(new TopicPartition(record.topic(), record.partition())));
        awaitAcks(partitions);
        commitSync(partitions);
        ledger.forget(partitions);
        log.info("partitions revoked: {}", partitions);
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
        backlog.removeIf(record -> partitions.contains(new TopicPartition(record.topic(), record.partition())));
        ledger.forget(partitions);
        log.warn("partitions lost: {}; their running commands will run again elsewhere", partitions);
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
        if (!partitions.isEmpty()) {
            log.info("partitions assigned: {}", partitions);
        }
    }

    private void awaitAcks(Collection<TopicPartition> partitions) {
        long deadline = System.nanoTime() + grace.toNanos();
        settleAcks();
        while (ledger.inFlight(partitions) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            settleAcks();
        }
    }

    /** Lets running steps finish (up to the grace period), commits what was published, closes. */
    private void shutdown() {
        backlog.clear();
        workers.shutdown();
        try {
            if (!workers.awaitTermination(grace)) {
                log.warn("{} steps still running after {}; interrupting them (they will run again elsewhere)",
                        workers.busy(), grace);
                workers.interrupt();
                workers.awaitTermination(Duration.ofSeconds(5));
            }
        } catch (InterruptedException e) {
            workers.interrupt();
            Thread.currentThread().interrupt();
        }
        awaitAcks(List.copyOf(ledger.partitions()));
        commitSync(List.copyOf(ledger.partitions()));
        consumer.close(Duration.ofSeconds(5));
        publisher.close();
    }
}
