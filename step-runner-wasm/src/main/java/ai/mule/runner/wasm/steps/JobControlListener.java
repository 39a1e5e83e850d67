package ai.mule.runner.wasm.steps;

import ai.mule.schemas.JobControl;
import ai.mule.schemas.Topics;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Reads {@code mule.jobs.control} and stops the running steps of a cancelled job. Every runner must see
 * every cancel (a job's step may run on any of them), so this is not a group member: it assigns itself
 * all partitions, as the gateway's event listener does, and starts a few minutes back so that a cancel
 * sent just before the runner started still stops a command waiting for it.
 */
public final class JobControlListener implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(JobControlListener.class);
    private static final Duration LOOK_BACK = Duration.ofMinutes(5);

    private final KafkaClientProperties kafka;
    private final CancelledJobs jobs;
    private volatile boolean running;
    private KafkaConsumer<String, byte[]> consumer;
    private Thread thread;

    public JobControlListener(KafkaClientProperties kafka, CancelledJobs jobs) {
        this.kafka = kafka;
        this.jobs = jobs;
    }

    @Override
    public synchronized void start() {
        if (running) {
            return;
        }
        Map<String, Object> config = new HashMap<>(kafka.properties());
        config.putAll(kafka.consumer());
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
        running = true;
        thread = new Thread(this::run, "wasm-job-control");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        try {
            assignAll();
            while (running) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    handle(record);
                }
            }
        } catch (WakeupException e) {
            // stopping
        } catch (RuntimeException e) {
            log.error("the job control listener stopped; cancels will not interrupt running steps", e);
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    private void assignAll() {
        List<PartitionInfo> infos = consumer.partitionsFor(Topics.JOB_CONTROL.name(), Duration.ofSeconds(30));
        List<TopicPartition> partitions = infos.stream()
                .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
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
        int stopped = jobs.cancel(control.jobId());
        if (stopped > 0) {
            log.info("job {} cancelled: stopping {} running step(s)", control.jobId(), stopped);
        }
    }

    @Override
    public void stop() {
        Thread stopping;
        synchronized (this) {
            if (!running) {
                return;
            }
            running = false;
            stopping = thread;
        }
        consumer.wakeup();
        try {
            stopping.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
