package ai.mule.gateway.events;

import ai.mule.gateway.kafka.BackgroundLoop;
import ai.mule.gateway.kafka.KafkaClients;
import ai.mule.schemas.JobEvent;
import ai.mule.schemas.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Reads {@code mule.jobs.events}: completes the waiters of jobs that ended and hands every event of a followed
 * job to its subscribers (SSE streams).
 *
 * <p>Every gateway must see every job's events (the HTTP call waiting for a job may be on any gateway), so
 * this consumer assigns itself all partitions instead of joining a consumer group, and starts at the end:
 * a waiter is always registered before its job exists, so older events can never concern it. Start-up waits
 * until the end offsets are resolved, so no event of a job accepted after start-up is skipped.
 * It reads committed events only ({@link KafkaClients#ungroupedConsumer}): what a caller is told is what the job
 * status writer records, whatever the orchestrator's transactions that were aborted had emitted.
 * Only events whose job has a waiter or a subscriber are decoded (every event while someone follows all jobs);
 * an undecodable event is logged and skipped. Should the loop die all the same (an {@code Error}, e.g. out of
 * memory), {@link BackgroundLoop} restarts it, positioned at the end again; meanwhile, and whenever it is not
 * reading, {@code /health} answers 503 naming it: a synchronous call accepted then could not get its answer.
 */
@Component
public class JobEventListener extends BackgroundLoop {

    private static final Logger log = LoggerFactory.getLogger(JobEventListener.class);
    private static final String TOPIC = Topics.JOB_EVENTS.name();

    private final KafkaClients kafka;
    private final JobWaiters waiters;
    private final JobEventSubscribers subscribers;
    private final EventsProperties properties;
    private final CountDownLatch positioned = new CountDownLatch(1);

    private volatile KafkaConsumer<String, byte[]> consumer;
    /** Positioned at the end of every partition and polling: events of jobs accepted now will be seen. */
    private volatile boolean consuming;
    private volatile String notConsumingReason = "not started yet";

    JobEventListener(KafkaClients kafka, JobWaiters waiters, JobEventSubscribers subscribers, EventsProperties properties) {
        super("mule-job-events", Duration.ofSeconds(5));
        this.kafka = kafka;
        this.waiters = waiters;
        this.subscribers = subscribers;
        this.properties = properties;
    }

    /** Waits (bounded) until the listener reads from the end of every partition, so no sync call misses its job. */
    /** The consumer's metrics, its lag among them ({@code mule_consumer_lag_records}); empty while none is open. */
    public Map<MetricName, ? extends Metric> consumerMetrics() {
        KafkaConsumer<String, byte[]> current = consumer;
        return current == null ? Map.of() : current.metrics();
    }

    @Override
    protected void afterStart() {
        try {
            if (!positioned.await(properties.startupTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("the job events listener is not positioned on {} after {}; synchronous calls may time out "
                        + "until Kafka answers", TOPIC, properties.startupTimeout());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    protected void wakeForStop() {
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
    }

    /**
     * Started before the web server and stopped after it ({@link #WITH_THE_WEB_SERVER}): no synchronous call is
     * accepted until the listener is positioned, and calls in flight at shutdown are answered before it stops.
     */
    @Override
    public int getPhase() {
        return WITH_THE_WEB_SERVER;
    }

    /** True once the listener is positioned at the end of every partition and reading. */
    public boolean isPositioned() {
        return positioned.getCount() == 0;
    }

    /** A poll returns within a second; one round that takes 30 s means delivering is stuck. */
    @Override
    protected Duration stallAfter() {
        return Duration.ofSeconds(30);
    }

    @Override
    protected Optional<String> notWorking() {
        return consuming ? Optional.empty() : Optional.of("not reading " + TOPIC + " (" + notConsumingReason
                + "), so synchronous calls cannot get their answers");
    }

    @Override
    protected void loop() {
        while (isRunning()) {
            notConsumingReason = "positioning at the end of every partition";
            try (KafkaConsumer<String, byte[]> c = kafka.ungroupedConsumer("mule-gateway-job-events")) {
                consumer = c;
                assignAtEnd(c);
                consuming = true;
                positioned.countDown();
                while (isRunning()) {
                    alive();
                    for (ConsumerRecord<String, byte[]> record : c.poll(Duration.ofSeconds(1))) {
                        deliver(record);
                    }
                }
            } catch (WakeupException e) {
                // stop() woke the consumer up
            } catch (Error e) {
                // BackgroundLoop restarts the loop and /health names the error once it has recorded it; until then,
                // this reason does, not the "positioning" of the round that just ended
                notConsumingReason = "stopped by " + e;
                throw e;
            } catch (RuntimeException e) {
                consuming = false;
                notConsumingReason = "reconnecting after " + e;
                if (isRunning()) {
                    log.warn("job events listener failed, reconnecting in 1 s: {}", e.toString());
                    sleepQuietly();
                }
            } finally {
                consuming = false;
                consumer = null;
            }
        }
    }

    private void assignAtEnd(KafkaConsumer<String, byte[]> c) {
        List<PartitionInfo> infos = c.partitionsFor(TOPIC, Duration.ofSeconds(10));
        if (infos == null || infos.isEmpty()) {
            throw new IllegalStateException("topic " + TOPIC + " does not exist (the broker's launcher creates it)");
        }
        List<TopicPartition> partitions = infos.stream().map(p -> new TopicPartition(TOPIC, p.partition())).toList();
        c.assign(partitions);
        c.seekToEnd(partitions);
        // seekToEnd is lazy: resolve the positions now, before anyone relies on not missing an event.
        for (TopicPartition partition : partitions) {
            c.position(partition, Duration.ofSeconds(10));
        }
        log.info("job events listener reads {} partitions of {} from their end", partitions.size(), TOPIC);
    }

    private void deliver(ConsumerRecord<String, byte[]> record) {
        String jobId = record.key();
        if (jobId == null || (!waiters.isWaiting(jobId) && !subscribers.isFollowed(jobId))) {
            return;
        }
        JobEvent event;
        try {
            event = Topics.JOB_EVENTS.valueSerde().deserializer().deserialize(TOPIC, record.value());
        } catch (RuntimeException | StackOverflowError e) {
            // whatever one event holds (not JSON, a new shape, nested past the parser's cap), the others go on
            log.warn("skipping an undecodable event of job {} at {}-{}@{}: {}", jobId, record.topic(),
                    record.partition(), record.offset(), e.getMessage());
            return;
        }
        if (event == null) {
            return;
        }
        subscribers.publish(event);
        waiters.deliver(event);
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
