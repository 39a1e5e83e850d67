package ai.mule.orchestrator.jobs;

import ai.mule.kafka.KafkaClientConfig;
import ai.mule.kafka.KafkaProperties;
import static org.assertj.core.api.Assertions.assertThat;

import ai.mule.schemas.Limits;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

/** The settings per-step latency depends on reach the clients Streams creates, not just the properties. */
class OrchestratorStreamsConfigTest {

    private final OrchestratorProperties properties = OrchestratorDriver.properties("/tmp/state", Map.of(
            "commit-interval", "15ms", "stream-threads", "2", "standby-replicas", "1",
            "producer-retry-backoff", "7ms", "session-timeout", "12s"));
    private final StreamsConfig config = new StreamsConfig(OrchestratorStreamsConfig.of(properties, Limits.DEFAULTS, new KafkaClientConfig(KafkaProperties.of("broker:9092"))));

    @Test
    void streamsCommitsOftenAndExactlyOnce() {
        assertThat(config.getString(StreamsConfig.APPLICATION_ID_CONFIG)).isEqualTo("mule-orchestrator");
        assertThat(config.getString(StreamsConfig.PROCESSING_GUARANTEE_CONFIG)).isEqualTo("exactly_once_v2");
        // the processor's timer tick requests the 15 ms interval commits; Streams' own is the fallback
        assertThat(config.getLong(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG)).isEqualTo(5_000);
        assertThat(config.getLong(StreamsConfig.POLL_MS_CONFIG)).isEqualTo(15);
        assertThat(config.getLong(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG)).isEqualTo(-1);
        assertThat(config.getInt(StreamsConfig.NUM_STREAM_THREADS_CONFIG)).isEqualTo(2);
        assertThat(config.getString(StreamsConfig.STATE_DIR_CONFIG)).isEqualTo("/tmp/state");
        // without it Streams 4.3 warns at every start, for the client and for the partition assignor
        assertThat(config.getBoolean(OrchestratorStreamsConfig.GLOBAL_PROCESSING_EXCEPTION_HANDLER)).isTrue();
        assertThat(config.getMainConsumerConfigs("group", "client", 0))
                .containsEntry(OrchestratorStreamsConfig.GLOBAL_PROCESSING_EXCEPTION_HANDLER, true);
    }

    @Test
    void streamsOwnCommitIntervalIsAFallbackOfFiveSecondsWithinTheTransactionTimeout() {
        assertThat(OrchestratorStreamsConfig.fallbackCommitMs(100)).isEqualTo(5_000);
        assertThat(OrchestratorStreamsConfig.fallbackCommitMs(2_000)).isEqualTo(5_000);
        assertThat(OrchestratorStreamsConfig.fallbackCommitMs(8_000)).isEqualTo(8_000);
    }

    @Test
    void anIdleStreamThreadPollsNoLongerThanItsTimerInterval() {
        OrchestratorProperties frequentTimers = OrchestratorDriver.properties("/tmp/state", Map.of(
                "commit-interval", "100ms", "timer-interval", "20ms"));
        StreamsConfig frequent = new StreamsConfig(OrchestratorStreamsConfig.of(frequentTimers, Limits.DEFAULTS,
                new KafkaClientConfig(KafkaProperties.of("broker:9092"))));

        assertThat(frequent.getLong(StreamsConfig.POLL_MS_CONFIG)).isEqualTo(20);
    }

    @Test
    void theTransactionalProducerNeitherLingersNorBacksOffLong() {
        Map<String, Object> producer = config.getProducerConfigs("client");

        assertThat(producer.get(ProducerConfig.LINGER_MS_CONFIG)).hasToString("0");
        assertThat(producer.get(ProducerConfig.RETRY_BACKOFF_MS_CONFIG)).hasToString("7");
        assertThat(producer.get(ProducerConfig.ACKS_CONFIG)).hasToString("all");
    }

    @Test
    void theProducerTakesEveryRecordTheLimitsLetThrough() {
        Limits raised = new Limits(4_000_000, 64, 1024, 1024, 1024, 1024);
        StreamsConfig raisedConfig = new StreamsConfig(OrchestratorStreamsConfig.of(properties, raised, new KafkaClientConfig(KafkaProperties.of("b:9092"))));

        assertThat(config.getProducerConfigs("client").get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG))
                .hasToString(String.valueOf(Limits.DEFAULTS.maxRecordBytes() + OrchestratorStreamsConfig.RECORD_OVERHEAD_BYTES));
        assertThat(raisedConfig.getProducerConfigs("client").get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG))
                .hasToString(String.valueOf(4_000_000 + OrchestratorStreamsConfig.RECORD_OVERHEAD_BYTES));
    }

    @Test
    void theConsumerFetchesAsSoonAsARecordIsThere() {
        Map<String, Object> consumer = config.getMainConsumerConfigs("group", "client", 0);

        assertThat(consumer.get(ConsumerConfig.FETCH_MIN_BYTES_CONFIG)).hasToString("1");
        assertThat(consumer.get(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG)).hasToString("100");
        assertThat(consumer.get(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG)).hasToString("12000");
        assertThat(consumer.get(ConsumerConfig.ISOLATION_LEVEL_CONFIG)).hasToString("read_committed");
    }
}
