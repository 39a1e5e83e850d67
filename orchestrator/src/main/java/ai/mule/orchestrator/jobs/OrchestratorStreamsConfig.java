package ai.mule.orchestrator.jobs;

import ai.mule.kafka.KafkaClientConfig;
import ai.mule.schemas.Limits;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;

/** The Kafka Streams configuration of the orchestrator, tuned for per-step latency. */
public final class OrchestratorStreamsConfig {

    /**
     * The broker answers a fetch as soon as one byte is there (fetch.min.bytes=1), so this wait only bounds how
     * long an idle fetch is parked; it adds no latency to records that arrive.
     */
    private static final int IDLE_FETCH_WAIT_MS = 100;
    private static final long FALLBACK_COMMIT_MS = 5_000;
    @SuppressWarnings("deprecation") // deprecated for its removal in 5.0, when its true becomes the only behaviour
    static final String GLOBAL_PROCESSING_EXCEPTION_HANDLER =
            StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG;

    private OrchestratorStreamsConfig() {
    }

    /**
     * Room for a record's key, headers and batch framing on top of the value sizes that {@link Limits} bounds (a
     * job id key and Kafka's framing take well under 1 KiB).
     */
    static final int RECORD_OVERHEAD_BYTES = 64 * 1024;

    /** The producer's default {@code max.request.size} (1 MiB). */
    private static final int DEFAULT_MAX_REQUEST_BYTES = 1024 * 1024;

    /**
     * The tuning below, under the configuration every Mule service shares ({@code MULE_KAFKA_*}: the cluster, any
     * client property, the internal topics' replication factor and min.insync.replicas, acks=all).
     */
    public static Properties of(OrchestratorProperties properties, Limits limits, KafkaClientConfig kafka) {
        Properties config = new Properties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, properties.applicationId());
        config.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        config.put(StreamsConfig.STATE_DIR_CONFIG, properties.stateDir());
        config.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, properties.streamThreads());
        config.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, properties.standbyReplicas());
        config.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BloomFiltersOnEveryLevel.class);

        long commitMs = properties.commitInterval().toMillis();
        // The processor's timer tick requests the interval commits (CommitPacer); Streams' own would run every
        // interval on top of the commits requested at jobs' ends, so it is only the fallback.
        config.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, fallbackCommitMs(commitMs));
        // A stream thread commits and runs its wall-clock punctuators only between polls: an idle poll of the
        // default 100 ms would hold the transaction (and every read_committed reader) that long past the commit
        // interval, and a commit the CommitPacer held back to the next timer tick that long past the tick. Idle
        // polls as long as the commit interval held over 1 in 100 of a lone client's sync answers ~100 ms (issue 14).
        config.put(StreamsConfig.POLL_MS_CONFIG, Math.min(commitMs, properties.timerInterval().toMillis()));
        // Each command stands alone: never hold a record back to line up timestamps across the inputs.
        config.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, -1L);

        config.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndSkipPoisonRecords.class);
        config.put(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, SendFailureHandler.class);
        // Streams 4.3 warns at every start unless this is set, once more for the partition assignor, which reads it
        // from the main consumer's configs. The topology has no global store, so it changes nothing but the log a
        // new user reads; true is its default from Kafka 5.0, which removes it.
        config.put(GLOBAL_PROCESSING_EXCEPTION_HANDLER, true);
        config.put(StreamsConfig.mainConsumerPrefix(GLOBAL_PROCESSING_EXCEPTION_HANDLER), true);

        // Streams' producer defaults to linger.ms=100: every step would wait for it.
        config.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 0);
        config.put(StreamsConfig.producerPrefix(ProducerConfig.RETRY_BACKOFF_MS_CONFIG),
                properties.producerRetryBackoff().toMillis());
        config.put(StreamsConfig.producerPrefix(ProducerConfig.ACKS_CONFIG), "all");
        // Every record is checked against mule.limits.max-record-bytes before it is forwarded (JobProcessor), so
        // the producer must take any record that passed; the topics' max.message.bytes must too (set on the broker).
        config.put(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG), maxRequestBytes(limits));

        config.put(StreamsConfig.consumerPrefix(ConsumerConfig.FETCH_MIN_BYTES_CONFIG), 1);
        config.put(StreamsConfig.consumerPrefix(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG), IDLE_FETCH_WAIT_MS);
        // Streams does not leave its group on close; a short session lets a replacement take over soon.
        config.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG),
                (int) properties.sessionTimeout().toMillis());
        return kafka.streams(config);
    }

    /**
     * Streams' own commit interval: 5 s (well within Streams' 10 s transaction timeout), or Mule's if that is longer.
     * The timer tick requests every commit the work needs (CommitPacer), so this one commits nothing new while that
     * works. It still costs a transaction each time: Streams commits every task that ran a punctuator since, and the
     * timer tick is one, so each of these commits writes the task's unchanged offsets in a transaction of their own.
     * At ten times Mule's interval (1 s) an idle orchestrator did that every second, and a lone client's calls lost one
     * in some thirty to a transaction split in two (issue 14).
     */
    static long fallbackCommitMs(long commitMs) {
        return Math.max(commitMs, FALLBACK_COMMIT_MS);
    }

    /** The largest request the producer sends: at least its default, and any record the limits let through. */
    static int maxRequestBytes(Limits limits) {
        return Math.max(DEFAULT_MAX_REQUEST_BYTES, limits.maxRecordBytes() + RECORD_OVERHEAD_BYTES);
    }
}
