package ai.mule.gateway.kafka;

import ai.mule.kafka.KafkaClientConfig;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.stereotype.Component;

/**
 * Builds the gateway's Kafka clients with the settings the latency targets depend on, over the configuration every
 * Mule service shares ({@link KafkaClientConfig}: {@code MULE_KAFKA_BOOTSTRAP_SERVERS}, {@code MULE_KAFKA_PROPERTIES_*}).
 * Values travel as bytes: the outbox already holds serialized messages, and the event listener decodes only the
 * events someone waits on.
 */
@Component
public class KafkaClients {

    private final KafkaClientConfig config;

    public KafkaClients(KafkaClientConfig config) {
        this.config = config;
    }

    /**
     * The outbox relay's producer: idempotent with acks=all so a retried send never duplicates or loses a
     * message, and linger 0 so a job's request leaves as soon as it is committed. {@code sendTimeout} bounds
     * how long a send may block or wait for its ack before the relay gives up and retries later.
     */
    public Producer<String, byte[]> producer(String clientId, Duration sendTimeout) {
        int half = (int) Math.max(1000, sendTimeout.toMillis() / 2);
        return outboxProducer(clientId, sendTimeout, half);
    }

    /**
     * The outbox relay's producer for sends from the thread that committed a row (an HTTP request's): as
     * {@link #producer}, but {@code send} never blocks. Without the topic's metadata or with a full buffer it fails at
     * once, and the relay's sweep sends the row instead.
     */
    public Producer<String, byte[]> nonBlockingProducer(String clientId, Duration sendTimeout) {
        return outboxProducer(clientId, sendTimeout, 0);
    }

    private Producer<String, byte[]> outboxProducer(String clientId, Duration sendTimeout, int maxBlockMs) {
        Map<String, Object> props = config.producer(Map.of(ProducerConfig.CLIENT_ID_CONFIG, clientId));
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        int half = (int) Math.max(1000, sendTimeout.toMillis() / 2);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, maxBlockMs);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, half);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Math.max(2L * half, sendTimeout.toMillis()));
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    /**
     * A consumer without a group, for assigning partitions by hand. {@code read_committed}: a caller is answered
     * only from events the orchestrator committed, the same events the job status writer records. Read uncommitted,
     * an answer could come from a transaction that is later aborted; the orchestrator then processes its inputs
     * again, possibly in another order (a cancel before the last step's result, or an agent step run again with
     * another reply), and the row would record an end the caller was never told. The price is waiting for the
     * orchestrator's commit, which it requests as soon as a job finishes.
     */
    public KafkaConsumer<String, byte[]> ungroupedConsumer(String clientId) {
        Map<String, Object> props = config.consumer(Map.of(ConsumerConfig.CLIENT_ID_CONFIG, clientId));
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        return new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    }

    /** A consumer of a group, configured by {@code settings} over the shared configuration. */
    public KafkaConsumer<String, byte[]> groupConsumer(Map<String, Object> settings) {
        return new KafkaConsumer<>(config.consumer(settings), new StringDeserializer(), new ByteArrayDeserializer());
    }

    /** An admin client for readiness checks, with short timeouts so /health answers quickly when Kafka is down. */
    public Admin admin(Duration timeout) {
        return Admin.create(config.admin(Map.of(AdminClientConfig.CLIENT_ID_CONFIG, "mule-gateway-health",
                CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis())));
    }
}
