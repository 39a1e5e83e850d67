package ai.mule.gateway.ingress;

import ai.mule.gateway.ingress.IngressRequestReader.IngressRequest;
import ai.mule.gateway.jobs.JobPlan;
import ai.mule.gateway.jobs.JobPlanner;
import ai.mule.gateway.jobs.JobService;
import ai.mule.gateway.kafka.BackgroundLoop;
import ai.mule.gateway.kafka.KafkaClients;
import ai.mule.gateway.web.ApiException;
import ai.mule.schemas.JobIngressRequest;
import ai.mule.schemas.ParentStep;
import ai.mule.schemas.Topics;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import ai.mule.tracing.RecordSpan;
import ai.mule.tracing.SpanNames;
import ai.mule.tracing.Tracing;
import io.opentelemetry.context.Scope;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.stereotype.Component;

/**
 * Turns {@code mule.jobs.ingress} records into jobs, exactly as {@code POST /api/v1/jobs} does: the same planner
 * takes the workflow's snapshot, the same {@link JobService#acceptOnce} writes the job row (source {@code kafka})
 * and its outbox row in one transaction. Why here and not in the orchestrator: a job must have its row before its
 * events (the status writer never invents rows), the idempotency key is unique in PostgreSQL for HTTP and Kafka
 * alike, and the job then is indistinguishable from an HTTP one; the orchestrator still never reads PostgreSQL.
 * <p>
 * Exactly once: a request without an idempotency key gets its position on the topic as key, so a record delivered
 * again (after a crash before the offset commit) finds its job instead of making a second one. A record that can
 * never become a job goes to {@code mule.jobs.ingress.dlq}, unchanged, with the reason in a header, and the next
 * record is handled; offsets are committed only once the batch's jobs are written and its dead letters acked.
 * If PostgreSQL or Kafka fails, the batch is read again after a pause.
 */
@Component
public class JobIngress extends BackgroundLoop {

    public static final String SOURCE_TOPIC_HEADER = "mule.dlq.source.topic";
    public static final String SOURCE_PARTITION_HEADER = "mule.dlq.source.partition";
    public static final String SOURCE_OFFSET_HEADER = "mule.dlq.source.offset";

    private static final Logger log = LoggerFactory.getLogger(JobIngress.class);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(15);

    private final IngressProperties properties;
    private final KafkaClients clients;
    private final JobPlanner planner;
    private final JobService jobs;
    private final Tracing tracing;
    // opened by each run of the loop (and closed when it ends), so that a loop restarted after an Error
    // starts from fresh clients
    private volatile KafkaConsumer<String, byte[]> consumer;
    private Producer<String, byte[]> deadLetters;
    private ReplyTopics replyTopics;

    JobIngress(IngressProperties properties, KafkaClients clients, JobPlanner planner, JobService jobs,
               Tracing tracing) {
        super("mule-job-ingress", STOP_TIMEOUT);
        this.tracing = tracing;
        this.properties = properties;
        this.clients = clients;
        this.planner = planner;
        this.jobs = jobs;
    }

    /** The consumer's metrics, its lag among them ({@code mule_consumer_lag_records}); empty while none is open. */
    public Map<MetricName, ? extends Metric> consumerMetrics() {
        KafkaConsumer<String, byte[]> current = consumer;
        return current == null ? Map.of() : current.metrics();
    }

    @Override
    protected boolean enabled() {
        return properties.enabled();
    }

    @Override
    protected void beforeStart() {
        replyTopics = new ReplyTopics(clients, properties.topicCacheTtl());
    }

    @Override
    protected void wakeForStop() {
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
    }

    @Override
    protected void afterStop() {
        replyTopics.close();
    }

    @Override
    protected void loop() {
        deadLetters = clients.producer("mule-gateway-ingress-dlq", Duration.ofSeconds(10));
        consumer = clients.groupConsumer(consumerConfig());
        try {
            consumer.subscribe(List.of(Topics.JOB_INGRESS.name(), Topics.JOB_CHILDREN.name()));
            while (isRunning()) {
                alive();
                try {
                    handleNextBatch();
                } catch (WakeupException e) {
                    // stop() woke us up; the loop condition ends the thread
                } catch (InterruptException e) {
                    halt();
                } catch (RuntimeException e) {
                    log.error("Job ingress cannot read {}; retrying in {}", Topics.JOB_INGRESS.name(),
                            properties.retryBackoff(), e);
                    pause();
                }
            }
        } finally {
            closeQuietly(consumer);
            consumer = null;
            closeQuietly(deadLetters);
        }
    }

    private static void closeQuietly(AutoCloseable client) {
        try {
            if (client instanceof KafkaConsumer<?, ?> c) {
                c.close(CloseOptions.timeout(Duration.ofSeconds(5)));
            } else if (client instanceof Producer<?, ?> p) {
                p.close(Duration.ofSeconds(5));
            }
        } catch (RuntimeException e) {
            log.warn("closing an ingress client failed: {}", e.toString());
        }
    }

    private void handleNextBatch() {
        ConsumerRecords<String, byte[]> records = consumer.poll(properties.pollTimeout());
        if (records.isEmpty()) {
            return;
        }
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        try {
            for (ConsumerRecord<String, byte[]> record : records) {
                Future<RecordMetadata> deadLetter;
                // the producer's trace (if its record has a traceparent) goes on into the job's outbox row
                try (RecordSpan span = tracing.onRecord(SpanNames.INGRESS, record.topic(), record.headers(), null);
                     Scope ignored = span.makeCurrent()) {
                    deadLetter = handle(record);
                }
                if (deadLetter != null) {
                    sent.add(deadLetter);
                }
            }
            for (Future<RecordMetadata> future : sent) {
                future.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            halt();
            return;
        } catch (ExecutionException | RuntimeException e) {
            // PostgreSQL or Kafka failed: read the batch again; jobs already written are found by their keys
            log.error("Job ingress could not handle {} records; reading them again in {}", records.count(),
                    properties.retryBackoff(), e);
            rewind(records);
            pause();
            return;
        }
        try {
            consumer.commitSync();
        } catch (CommitFailedException | RebalanceInProgressException e) {
            log.warn("Could not commit ingress offsets: {}; the records are handled again, idempotently", e.getMessage());
        }
    }

    /** Makes the record a job; returns the dead letter's send when it cannot be one. */
    private Future<RecordMetadata> handle(ConsumerRecord<String, byte[]> record) {
        if (Topics.JOB_CHILDREN.name().equals(record.topic())) {
            startChild(record);
            return null;
        }
        try {
            IngressRequest request = IngressRequestReader.read(record.value());
            JobPlan plan = planner.workflowNamed(request.workflow()).orElseThrow(() -> new IngressRejected(
                    "unknown workflow '" + request.workflow() + "'; name one from GET /api/v1/workflows"));
            if (request.replyTopic() != null && !replyTopics.exists(request.replyTopic())) {
                throw new IngressRejected("reply_topic '" + request.replyTopic() + "' does not exist; create it first");
            }
            String key = request.idempotencyKey() != null ? request.idempotencyKey() : positionKey(record);
            JobService.Accepted accepted;
            try {
                accepted = jobs.acceptOnce(UUID.randomUUID(), plan, request.input(), "", JobService.SOURCE_KAFKA, key,
                        request.replyTopic());
            } catch (ApiException e) {
                // a 4xx of the HTTP path: no steps, over a limit (mule.limits.*), key used for another workflow
                throw new IngressRejected(e.getMessage());
            } catch (DataIntegrityViolationException e) {
                // PostgreSQL refused this record's data (not a failure to reach it): retrying it would block the
                // partition for good, so it is set aside like any request that can never become a job
                throw new IngressRejected("the job could not be stored: " + rootMessage(e));
            }
            log.debug("Ingress record {}-{}@{} is job {}{}", record.partition(), record.offset(), record.key(),
                    accepted.job().id(), accepted.replayed() ? " (already made)" : "");
            return null;
        } catch (IngressRejected e) {
            log.info("Rejecting ingress record {}-{}@{} (key {}): {}", record.topic(), record.partition(),
                    record.offset(), record.key(), e.getMessage());
            return deadLetters.send(deadLetter(record, e.getMessage()));
        }
    }

    /**
     * Makes the child job of a sub-workflow step, asked for by the orchestrator on its own topic (integrations
     * cannot link jobs to parents): the child workflow's snapshot now, the job id and idempotency key derived from
     * the parent job, step and attempt (a redelivery finds the job it made), the parent's call depth. A child that
     * cannot be made fails the parent's step with why, instead of leaving it to wait out its deadline.
     */
    private void startChild(ConsumerRecord<String, byte[]> record) {
        JobIngressRequest request;
        try {
            request = Topics.JOB_CHILDREN.valueSerde().deserializer().deserialize(record.topic(), record.value());
        } catch (RuntimeException e) {
            log.error("Skipping child job record {}-{}@{}: it cannot be read", record.partition(), record.offset(),
                    record.key(), e);
            return;
        }
        ParentStep parent = request == null ? null : request.parent();
        if (parent == null) {
            log.error("Skipping child job record {}-{}: it names no parent step", record.partition(), record.offset());
            return;
        }
        try {
            UUID workflowId = UUID.fromString(request.workflowId());
            JobPlan plan = planner.workflow(workflowId).orElseThrow(() -> new IngressRejected("the workflow '"
                    + request.workflow() + "' (" + workflowId + ") no longer exists"));
            ObjectNode input = request.input() instanceof ObjectNode object ? object : JsonNodeFactory.instance.objectNode();
            jobs.acceptOnce(UUID.fromString(parent.childJobId()),
                    plan.withParent(parent).atCallDepth(request.callDepth()), input, "", JobService.SOURCE_WORKFLOW,
                    parent.idempotencyKey());
        } catch (IngressRejected | ApiException | IllegalArgumentException e) {
            log.info("The child job of step {} of job {} cannot be made: {}", parent.stepIndex(), parent.jobId(),
                    e.getMessage());
            jobs.childNotStarted(parent, e.getMessage());
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return String.valueOf(root.getMessage());
    }

    /** The key of a request that named none: where it is on the topic, which a redelivery keeps. */
    static String positionKey(ConsumerRecord<?, ?> record) {
        return "kafka:" + record.topic() + "/" + record.partition() + "/" + record.offset();
    }

    private static ProducerRecord<String, byte[]> deadLetter(ConsumerRecord<String, byte[]> record, String reason) {
        RecordHeaders headers = new RecordHeaders(record.headers().toArray());
        headers.add(Topics.DLQ_REASON_HEADER, reason.getBytes(StandardCharsets.UTF_8));
        headers.add(SOURCE_TOPIC_HEADER, record.topic().getBytes(StandardCharsets.UTF_8));
        headers.add(SOURCE_PARTITION_HEADER, String.valueOf(record.partition()).getBytes(StandardCharsets.UTF_8));
        headers.add(SOURCE_OFFSET_HEADER, String.valueOf(record.offset()).getBytes(StandardCharsets.UTF_8));
        return new ProducerRecord<>(Topics.JOB_INGRESS_DLQ.name(), null, record.key(), record.value(), headers);
    }

    private void rewind(ConsumerRecords<String, byte[]> records) {
        for (TopicPartition partition : records.partitions()) {
            consumer.seek(partition, records.records(partition).get(0).offset());
        }
    }

    private void pause() {
        try {
            Thread.sleep(properties.retryBackoff().toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            halt();
        }
    }

    private Map<String, Object> consumerConfig() {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.GROUP_ID_CONFIG, properties.groupId());
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, "mule-gateway-ingress");
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // a new group takes every request still on the topic: none is lost because the gateway started late
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, properties.maxPollRecords());
        return config;
    }
}
