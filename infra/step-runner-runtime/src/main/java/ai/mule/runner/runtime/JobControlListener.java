package ai.mule.runner.runtime;

import ai.mule.schemas.JobControl;
import ai.mule.schemas.Topics;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads {@code mule.jobs.control} and stops the running steps of a cancelled job. Every runner must see
 * every cancel (a job's step may run on any of them), so this is not a group member: it assigns itself
 * all partitions, as the gateway's event listener does, and starts a few minutes back so that a cancel
 * sent just before the runner started still stops a command waiting for it. A failure of the consumer is
 * logged and the listener starts over with a new one; an {@code Error} is {@link Fatal}.
 */
final class JobControlListener {

    private static final Logger log = LoggerFactory.getLogger(JobControlListener.class);
    private static final Duration LOOK_BACK = Duration.ofMinutes(5);
    private static final Duration RESTART_AFTER = Duration.ofSeconds(1);

    private final Supplier<Consumer<String, byte[]>> consumers;
    private final RunningSteps steps;
    private final RunnerMetrics metrics;
    private final Fatal fatal;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile Consumer<String, byte[]> consumer;

    JobControlListener(Supplier<Consumer<String, byte[]>> consumers, RunningSteps steps, RunnerMetrics metrics,
                       Fatal fatal, String name) {
        this.consumers = consumers;
        this.steps = steps;
        this.metrics = metrics;
        this.fatal = fatal;
        this.thread = new Thread(this::run, name + "-job-control");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    boolean isAlive() {
        return thread.isAlive();
    }

    private void run() {
        try {
            while (running) {
                try (Consumer<String, byte[]> opened = consumers.get()) {
                    consumer = opened;
                    listen(opened);
                } catch (WakeupException e) {
                    // stopping
                } catch (RuntimeException e) {
                    log.error("the job control listener failed; starting over in {}", RESTART_AFTER, e);
                    sleep(RESTART_AFTER);
                }
            }
        } catch (Throwable e) {
            if (running) {
                fatal.halt("the job control listener", e);
            }
        }
    }

    private void listen(Consumer<String, byte[]> consumer) {
        assignAll(consumer);
        while (running) {
            for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                handle(record);
            }
        }
    }

    private void assignAll(Consumer<String, byte[]> consumer) {
        List<TopicPartition> partitions = consumer.partitionsFor(Topics.JOB_CONTROL.name(), Duration.ofSeconds(30))
                .stream().map(info -> new TopicPartition(info.topic(), info.partition())).toList();
        consumer.assign(partitions);
        long since = System.currentTimeMillis() - LOOK_BACK.toMillis();
        Map<TopicPartition, Long> query = new HashMap<>();
        partitions.forEach(partition -> query.put(partition, since));
        Map<TopicPartition, OffsetAndTimestamp> offsets = consumer.offsetsForTimes(query, Duration.ofSeconds(30));
        for (TopicPartition partition : partitions) {
            OffsetAndTimestamp at = offsets.get(partition);
            if (at != null) {
                consumer.seek(partition, at.offset());
            } else {
                consumer.seekToEnd(List.of(partition));
            }
        }
        log.info("listening for cancels on {} ({} partitions)", Topics.JOB_CONTROL.name(), partitions.size());
    }

    private void handle(ConsumerRecord<String, byte[]> record) {
        JobControl control;
        try {
            control = Topics.JOB_CONTROL.valueSerde().deserializer().deserialize(record.topic(), record.value());
        } catch (RuntimeException e) {
            log.warn("skipping an unreadable job control record at {}-{}@{}", record.topic(), record.partition(),
                    record.offset());
            return;
        }
        if (control == null || control.action() != JobControl.Action.CANCEL || control.jobId() == null) {
            return;
        }
        int stopped = steps.cancel(control.jobId());
        metrics.cancelReceived();
        if (stopped > 0) {
            log.info("job {} cancelled: stopping {} running step(s)", control.jobId(), stopped);
        }
    }

    void stop() {
        running = false;
        Consumer<String, byte[]> current = consumer;
        if (current != null) {
            current.wakeup();
        }
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
