package ai.mule.runner.runtime;

import ai.mule.schemas.StepCommand;
import ai.mule.schemas.Topic;
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
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Headers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consumer thread's loop: poll commands, hand them to free workers, commit what was published.
 * <p>
 * Why this shape. A step may run for its whole timeout, longer than Kafka lets a consumer go without
 * polling, so steps never run on this thread: it keeps polling while workers run. When every worker is
 * busy, polled commands wait in a small backlog and every assigned partition is paused, so polls go on
 * (the member stays in the group, no rebalance) but fetch nothing more; partitions resume as soon as
 * the backlog is handed out. Offsets are committed only up to commands whose results the broker
 * acknowledged ({@link OffsetLedger}), at most every {@link #COMMIT_INTERVAL}: a crash re-runs a step rather
 * than loses it, and the orchestrator drops the duplicate result. A partition taken away waits for its running
 * steps (up to the grace period), then commits what they published.
 * <p>
 * Everything here runs on the consumer thread, except the tasks given to workers; their completions
 * reach this thread through a queue.
 */
final class ConsumerLoop implements ConsumerRebalanceListener {

    private static final Logger log = LoggerFactory.getLogger(ConsumerLoop.class);
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(200);
    // while commands wait for a worker: how long to wait for one before polling again (for liveness)
    private static final Duration WORKER_WAIT = Duration.ofMillis(100);
    /**
     * Offsets are committed at most this often. Each commit is a request the broker writes to its offsets topic, and
     * committing after every finished step made those requests a twentieth of the broker's work at a steady 100
     * jobs/s (issue 14). A crash re-runs at most this much more work, whose duplicate results the orchestrator drops.
     */
    static final Duration COMMIT_INTERVAL = Duration.ofMillis(100);
    /** Failed iterations in a row after which the runner reports itself unhealthy. */
    static final int UNHEALTHY_AFTER = 3;
    /** Failed iterations in a row (about a minute) after which the loop gives up: the process exits (Fatal). */
    static final int GIVE_UP_AFTER = 60;

    private final Consumer<String, byte[]> consumer;
    private final Topic<String, StepCommand> topic;
    private final WorkerPool workers;
    private final StepWork work;
    private final Duration grace;
    private final BooleanSupplier running;
    private final OffsetLedger ledger = new OffsetLedger();
    private final ArrayDeque<ConsumerRecord<String, byte[]>> backlog = new ArrayDeque<>();
    private final Queue<Done> done = new ConcurrentLinkedQueue<>();
    private volatile int failuresInARow;
    private long lastCommitNanos = System.nanoTime();

    private record Done(TopicPartition partition, long offset) {
    }

    ConsumerLoop(Consumer<String, byte[]> consumer, Topic<String, StepCommand> topic, WorkerPool workers,
                 StepWork work, Duration grace, BooleanSupplier running) {
        this.consumer = consumer;
        this.topic = topic;
        this.workers = workers;
        this.work = work;
        this.grace = grace;
        this.running = running;
    }

    boolean failing() {
        return failuresInARow >= UNHEALTHY_AFTER;
    }

    /** Runs until {@code running} turns false; an {@code Error} escapes (the caller treats it as fatal). */
    void run() throws InterruptedException {
        consumer.subscribe(List.of(topic.name()), this);
        try {
            while (running.getAsBoolean()) {
                try {
                    iterate();
                    failuresInARow = 0;
                } catch (RuntimeException e) {
                    // e.g. a Kafka error the client does not retry itself: log it and go on; health turns red
                    // if it repeats
                    failuresInARow++;
                    if (failuresInARow >= GIVE_UP_AFTER) {
                        throw new IllegalStateException("the step command consumer failed " + failuresInARow
                                + " times in a row", e);
                    }
                    log.error("the step command consumer hit an error ({} in a row); going on in 1 s",
                            failuresInARow, e);
                    Thread.sleep(1_000);
                }
            }
        } finally {
            shutdown();
        }
    }

    /**
     * Pauses or resumes the partitions right before the poll, from what the workers and the backlog are then, and
     * waits in the poll only when nothing is paused. Deciding the pause after dispatching and the wait at the next
     * iteration left a gap: a worker freed in between made the loop wait out the whole poll timeout on paused
     * partitions, and every command sent meanwhile waited with it (up to 200 ms, in the p99 of a step's dispatch with
     * 8 sync clients, issue 14).
     */
    private void iterate() throws InterruptedException {
        if (!backlog.isEmpty() || !workers.hasFreeThread()) {
            workers.awaitFreeThread(WORKER_WAIT);
        }
        boolean paused = applyBackPressure();
        consumer.poll(paused ? Duration.ZERO : POLL_TIMEOUT).forEach(backlog::add);
        settle();
        dispatch();
        commitAsync();
    }

    private void dispatch() {
        while (!backlog.isEmpty() && workers.hasFreeThread()) {
            ConsumerRecord<String, byte[]> record = backlog.peek();
            TopicPartition partition = new TopicPartition(record.topic(), record.partition());
            long offset = record.offset();
            StepCommand command = StepCommands.decode(topic, record);
            // a step that ends a wait for other steps may take the free permit seen above: the command then stays
            // first in the backlog (its completion is settled on this thread, so marking it dispatched after is safe)
            if (command != null
                    && !workers.trySubmit(() -> execute(command, record.headers(), new Done(partition, offset)))) {
                return;
            }
            backlog.poll();
            ledger.dispatched(partition, offset);
            if (command == null) {
                ledger.done(partition, offset);
            }
        }
    }

    /** On a worker thread. Whatever happens, the offset is released, unless the runner abandoned the run. */
    private void execute(StepCommand command, Headers headers, Done offset) {
        try {
            work.run(command, headers, () -> done.add(offset));
        } catch (Throwable e) {
            // StepWork contains the handler's errors; this is one of its own (an OutOfMemoryError while
            // publishing): the step's result is lost, the orchestrator retries it past its deadline
            log.error("job {} step {}: the result could not be published", command.jobId(), command.stepIndex(), e);
            done.add(offset);
        }
    }

    private void settle() {
        for (Done d = done.poll(); d != null; d = done.poll()) {
            ledger.done(d.partition(), d.offset());
        }
    }

    private void commitAsync() {
        long now = System.nanoTime();
        if (now - lastCommitNanos < COMMIT_INTERVAL.toNanos()) {
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> positions = ledger.advance();
        if (!positions.isEmpty()) {
            lastCommitNanos = now;
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

    /** Pauses every partition while commands wait for a worker, resumes them once one is free; true if paused. */
    private boolean applyBackPressure() {
        Set<TopicPartition> paused = consumer.paused();
        if (!backlog.isEmpty() || !workers.hasFreeThread()) {
            Set<TopicPartition> toPause = new HashSet<>(consumer.assignment());
            toPause.removeAll(paused);
            if (!toPause.isEmpty()) {
                consumer.pause(toPause);
                log.debug("all {} workers busy: paused {}", workers.busy(), toPause);
            }
            return true;
        }
        if (!paused.isEmpty()) {
            consumer.resume(paused);
            log.debug("a worker is free: resumed {}", paused);
        }
        return false;
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
        if (partitions.isEmpty()) {
            return;
        }
        // commands not yet handed out go to the partitions' next owner; running ones get a chance to finish
        backlog.removeIf(record -> partitions.contains(new TopicPartition(record.topic(), record.partition())));
        awaitDone(partitions, grace);
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

    private void awaitDone(Collection<TopicPartition> partitions, Duration max) {
        long deadline = System.nanoTime() + max.toNanos();
        settle();
        while (ledger.inFlight(partitions) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            settle();
        }
    }

    /** Lets running steps finish (up to the grace period), commits what was published, closes. */
    private void shutdown() {
        backlog.clear();
        try {
            workers.shutdown(grace);
        } catch (InterruptedException e) {
            workers.abandonNow();
            Thread.currentThread().interrupt();
        }
        // results sent just before the end: give their acknowledgements a moment
        awaitDone(List.copyOf(ledger.partitions()), Duration.ofSeconds(5));
        commitSync(List.copyOf(ledger.partitions()));
        consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
    }
}
