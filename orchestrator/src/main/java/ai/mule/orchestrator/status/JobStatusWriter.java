package ai.mule.orchestrator.status;

import ai.mule.kafka.KafkaClientConfig;
import ai.mule.schemas.JobEvent;
import ai.mule.schemas.JsonSerde;
import ai.mule.schemas.Topics;
import ai.mule.tracing.RecordSpan;
import ai.mule.tracing.SpanNames;
import ai.mule.tracing.Tracing;
import java.sql.BatchUpdateException;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Mirrors {@code mule.jobs.events} into PostgreSQL. Each poll's events are written in one transaction and only
 * then are their offsets committed, so a crash at any point redelivers events that the
 * {@link JobStatusRepository} recognises by {@code seq}: nothing is lost and nothing is applied twice. It reads
 * read_committed, so it never records an event of an orchestrator transaction that was later aborted.
 * <p>
 * One job's events never hold up the others'. When PostgreSQL refuses a batch because of what is in it
 * ({@link WriteFailures#causedByData}), the batch is written again one event at a time, and an event that still
 * fails marks its job failed with the database's reason ({@code the job's status could not be stored: ...}); the
 * writer goes on and commits. When the database cannot be used (down, a connection lost), nothing is set aside:
 * the same events are read again after {@code retryBackoff}, until they are written.
 * <p>
 * With tracing on, each job whose events a poll writes gets a span ({@link SpanNames#STATUS_WRITE}) in the job's
 * trace, a child of the context its last event in the poll came with, around the poll's write.
 */
public final class JobStatusWriter implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(JobStatusWriter.class);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(15);

    private final StatusWriterProperties properties;
    private final KafkaClientConfig kafka;
    private final Consumer<JobEvent> written;
    private final JobStatusRepository repository;
    private final Runnable onFatalError;
    private final Tracing tracing;
    private final JsonSerde<JobEvent> events = new JsonSerde<>(JobEvent.class);
    private volatile boolean running;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private Thread thread;

    /**
     * @param onFatalError called (on its own thread) when the writer's thread dies of an {@link Error}, so that the
     *                     process exits and its supervisor restarts it, rather than living on without writing
     */
    /** @param written told of each event once it is written (metrics count what jobs did from it) */
    public JobStatusWriter(StatusWriterProperties properties, KafkaClientConfig kafka, JobStatusRepository repository,
                           Consumer<JobEvent> written, Runnable onFatalError, Tracing tracing) {
        this.properties = properties;
        this.kafka = kafka;
        this.repository = repository;
        this.written = written;
        this.onFatalError = onFatalError;
        this.tracing = tracing;
    }

    @Override
    public synchronized void start() {
        if (running) {
            return;
        }
        consumer = new KafkaConsumer<>(consumerConfig(), new StringDeserializer(), new ByteArrayDeserializer());
        running = true;
        thread = new Thread(this::run, "job-status-writer");
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
            thread.join(STOP_TIMEOUT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            log.warn("The job status writer did not stop within {}", STOP_TIMEOUT);
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** The writer's consumer's metrics, its lag among them; empty before it starts. */
    public Map<MetricName, ? extends Metric> consumerMetrics() {
        KafkaConsumer<String, byte[]> current = consumer;
        return current == null ? Map.of() : current.metrics();
    }

    private void run() {
        try {
            consumer.subscribe(List.of(Topics.JOB_EVENTS.name()));
            while (running) {
                try {
                    writeNextBatch();
                } catch (WakeupException e) {
                    // stop() woke us up; the loop condition ends the thread
                } catch (InterruptException e) {
                    log.warn("The job status writer was interrupted; it stops");
                    running = false;
                } catch (RuntimeException e) {
                    // e.g. the broker is unreachable or refuses us: keep trying rather than die silently
                    log.error("The job status writer cannot read job events; retrying in {}",
                            properties.retryBackoff(), e);
                    pause(properties.retryBackoff());
                }
            }
        } catch (Error e) {
            // e.g. OutOfMemoryError: this thread cannot be trusted to go on, and without it no job's row moves
            log.error("The job status writer died of an Error; the service exits so that it is restarted", e);
            running = false;
            new Thread(onFatalError, "job-status-writer-fatal-error").start();
        } finally {
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
        }
    }

    private void writeNextBatch() {
        ConsumerRecords<String, byte[]> records = consumer.poll(properties.pollTimeout());
        if (records.isEmpty()) {
            return;
        }
        List<RecordSpan> spans = writeSpans(records);
        boolean written = false;
        try {
            written = write(records);
        } finally {
            if (!written) {
                spans.forEach(span -> span.fail("not written: the events are read again"));
            }
            spans.forEach(RecordSpan::close);
        }
        if (!written) {
            pause(properties.retryBackoff());
        }
    }

    /** With tracing on, a span per job in the poll, a child of the context its last event came with; else none. */
    private List<RecordSpan> writeSpans(ConsumerRecords<String, byte[]> records) {
        if (!tracing.enabled()) {
            return List.of();
        }
        Map<String, Headers> lastByJob = new LinkedHashMap<>();
        records.forEach(record -> lastByJob.put(record.key() == null ? "" : record.key(), record.headers()));
        List<RecordSpan> spans = new ArrayList<>(lastByJob.size());
        lastByJob.forEach((jobId, headers) ->
                spans.add(tracing.onRecord(SpanNames.STATUS_WRITE, Topics.JOB_EVENTS.name(), headers, jobId)));
        return spans;
    }

    /**
     * Writes a poll's events and commits; false when PostgreSQL could not be used: the poll is rewound, to be read
     * again after the retry backoff.
     */
    private boolean write(ConsumerRecords<String, byte[]> records) {
        List<JobEvent> events = readEvents(records);
        try {
            int applied = repository.apply(events);
            log.debug("Wrote {} of {} job events", applied, records.count());
            events.forEach(written);
        } catch (RuntimeException e) {
            if (!WriteFailures.causedByData(e)) {
                // PostgreSQL is down or cannot be used: nothing was written, so read the same events again later
                retryLater(records, e);
                return false;
            }
            log.warn("PostgreSQL refused a batch of {} job events ({}); writing them one at a time",
                    events.size(), reason(e));
            if (!writeOneByOne(events)) {
                retryLater(records, null);
                return false;
            }
        }
        try {
            consumer.commitSync();
        } catch (CommitFailedException | RebalanceInProgressException e) {
            // the partitions moved: their new owner re-reads these events, which are recognised by seq
            log.warn("Could not commit job event offsets after writing them: {}", e.getMessage());
        }
        return true;
    }

    /**
     * Writes each event in its own transaction; an event whose data PostgreSQL refuses fails its job. False when
     * the database could not be used meanwhile: the caller reads the whole poll again (what was written is then
     * recognised by seq).
     */
    private boolean writeOneByOne(List<JobEvent> events) {
        for (JobEvent event : events) {
            try {
                repository.apply(List.of(event));
                written.accept(event);
            } catch (RuntimeException e) {
                if (!WriteFailures.causedByData(e)) {
                    log.error("Cannot write job events; retrying in {}", properties.retryBackoff(), e);
                    return false;
                }
                if (!setAside(event, reason(e))) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Marks the job of an event that cannot be stored failed; false when the database could not be used. */
    private boolean setAside(JobEvent event, String reason) {
        log.error("Job {}: its {} seq {} cannot be stored ({}); the job is marked failed and the writer goes on",
                event.jobId(), event.getClass().getSimpleName(), event.seq(), reason);
        try {
            if (!repository.failJob(event, reason)) {
                log.warn("Job {} was not marked failed: its row is missing or already finished", event.jobId());
            }
            return true;
        } catch (RuntimeException e) {
            if (!WriteFailures.causedByData(e)) {
                log.error("Cannot mark job {} failed; retrying in {}", event.jobId(), properties.retryBackoff(), e);
                return false;
            }
            log.error("Cannot even mark job {} failed; its event seq {} is skipped", event.jobId(), event.seq(), e);
            return true;
        }
    }

    private void retryLater(ConsumerRecords<String, byte[]> records, RuntimeException failure) {
        if (failure != null) {
            log.error("Cannot write {} job events; retrying in {}", records.count(), properties.retryBackoff(),
                    failure);
        }
        rewind(records);
    }

    /** What the database said (its own message, not the statement that failed), or the failure's message. */
    static String reason(Throwable failure) {
        Throwable cause = failure;
        for (Throwable c = failure; c != null && c.getCause() != c; c = c.getCause()) {
            cause = c;
            if (c instanceof BatchUpdateException batch && batch.getNextException() != null) {
                // "Batch entry 0 <the statement> was aborted": the database's own error is the next one
                cause = batch.getNextException();
                break;
            }
            if (c instanceof SQLException) {
                break;
            }
        }
        String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        int lineEnd = message.indexOf('\n');
        return (lineEnd < 0 ? message : message.substring(0, lineEnd)).strip();
    }

    private List<JobEvent> readEvents(ConsumerRecords<String, byte[]> records) {
        List<JobEvent> read = new ArrayList<>(records.count());
        for (ConsumerRecord<String, byte[]> record : records) {
            try {
                JobEvent event = events.deserialize(record.topic(), record.value());
                if (event != null) {
                    read.add(event);
                }
            } catch (SerializationException e) {
                log.warn("Skipping unreadable job event {}-{}@{} (key {}): {}", record.topic(), record.partition(),
                        record.offset(), record.key(), e.getMessage());
            }
        }
        return read;
    }

    private void rewind(ConsumerRecords<String, byte[]> records) {
        for (TopicPartition partition : records.partitions()) {
            consumer.seek(partition, records.records(partition).get(0).offset());
        }
    }

    private void pause(Duration backoff) {
        try {
            Thread.sleep(backoff.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    private Map<String, Object> consumerConfig() {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.GROUP_ID_CONFIG, properties.groupId());
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString().toLowerCase());
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // a new group starts from the oldest event still kept: every job's row must reach its final status
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, properties.maxPollRecords());
        return kafka.consumer(config);
    }
}
