package ai.mule.orchestrator.metrics;

import ai.mule.kafka.KafkaClientConfig;
import ai.mule.schemas.FailureKind;
import ai.mule.schemas.JobEvent;
import ai.mule.schemas.JsonSerde;
import ai.mule.schemas.Topics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Counts what jobs did from {@code mule.jobs.events}, the orchestrator's own account of every job:
 * <ul>
 *   <li>{@code mule_jobs_finished_total{outcome}}: completed, failed or cancelled;</li>
 *   <li>{@code mule_step_failures_total{failure_kind}}: every failed attempt (retried or final), by why, the
 *       timeouts and lost runners the orchestrator decided included (the one place failures are counted);</li>
 *   <li>{@code mule_step_retries_total{failure_kind}}: attempts run again.</li>
 * </ul>
 * Why a consumer of its own rather than counters in the topology: a Streams processor runs again when its
 * transaction aborts, so it would count twice what happened once; these events are read {@code read_committed}.
 * Its group is shared by the orchestrator's instances, so each counts its partitions and the sum is the whole;
 * it starts from the latest event (a counter starts at zero with its process, as Prometheus expects).
 */
public final class JobEventMetrics implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(JobEventMetrics.class);
    private static final Duration POLL = Duration.ofMillis(500);

    private final MeterRegistry registry;
    private final Map<String, Object> config;
    private final JsonSerde<JobEvent> events = new JsonSerde<>(JobEvent.class);
    private volatile boolean running;
    private volatile Thread thread;
    private KafkaConsumer<String, byte[]> consumer;

    public JobEventMetrics(MeterRegistry registry, KafkaClientConfig kafka, String groupId) {
        this.registry = registry;
        Map<String, Object> tuning = new HashMap<>();
        tuning.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        tuning.put(ConsumerConfig.CLIENT_ID_CONFIG, groupId);
        tuning.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        tuning.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        // a count may be repeated after a crash or a rebalance: a metric, not a ledger
        tuning.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, true);
        this.config = kafka.consumer(tuning);
        for (String outcome : List.of("completed", "failed", "cancelled")) {
            finished(outcome); // present at zero, so rate() works from the first scrape
        }
    }

    @Override
    public synchronized void start() {
        if (running) {
            return;
        }
        consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
        running = true;
        thread = new Thread(this::run, "job-event-metrics");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public synchronized void stop() {
        if (!running) {
            return;
        }
        running = false;
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Whether the counting thread lives (liveness; it needs no broker to live). */
    public boolean isAlive() {
        Thread current = thread;
        return current != null && current.isAlive();
    }

    private void run() {
        try {
            consumer.subscribe(List.of(Topics.JOB_EVENTS.name()));
            while (running) {
                try {
                    for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
                        count(record);
                    }
                } catch (WakeupException e) {
                    // stop() woke us up; the loop condition ends the thread
                } catch (RuntimeException e) {
                    log.warn("Job event metrics cannot read job events ({}); retrying in 1 s", e.toString());
                    Thread.sleep(1_000);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            running = false;
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private void count(ConsumerRecord<String, byte[]> record) {
        JobEvent event;
        try {
            event = events.deserialize(record.topic(), record.value());
        } catch (SerializationException e) {
            return; // the status writer logs unreadable events
        }
        count(event);
    }

    void count(JobEvent event) {
        if (event instanceof JobEvent.JobCompleted) {
            finished("completed").increment();
        } else if (event instanceof JobEvent.JobFailed) {
            finished("failed").increment();
        } else if (event instanceof JobEvent.JobCancelled) {
            finished("cancelled").increment();
        } else if (event instanceof JobEvent.StepRetrying retrying) {
            failures(retrying.failureKind()).increment();
            Counter.builder("mule.step.retries")
                    .description("Step attempts that failed and are run again, by why")
                    .tag("failure_kind", kind(retrying.failureKind()))
                    .register(registry).increment();
        } else if (event instanceof JobEvent.StepFailed failed) {
            failures(failed.failureKind()).increment();
        }
    }

    private Counter finished(String outcome) {
        return Counter.builder("mule.jobs.finished")
                .description("Jobs that ended, by outcome")
                .tag("outcome", outcome)
                .register(registry);
    }

    private Counter failures(FailureKind kind) {
        return Counter.builder("mule.step.failures")
                .description("Failed step attempts, retried or final, by why")
                .tag("failure_kind", kind(kind))
                .register(registry);
    }

    private static String kind(FailureKind kind) {
        return kind == null ? "unknown" : kind.wire();
    }
}
