package ai.mule.testkit;

import ai.mule.schemas.Topic;
import ai.mule.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.utils.Exit;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * A real single-node KRaft Kafka broker (spring-kafka-test), started once per JVM with every Mule topic
 * created. Tests keep apart by using fresh job ids (every message is keyed by job id) and fresh
 * consumer group ids.
 */
public final class TestKafka {

    public static final int PARTITIONS = 3;
    private static EmbeddedKafkaKraftBroker broker;

    private TestKafka() {
    }

    public static synchronized String bootstrapServers() {
        if (broker == null) {
            String[] topics = Topics.all().stream().map(Topic::name).toArray(String[]::new);
            broker = new EmbeddedKafkaKraftBroker(1, PARTITIONS, topics);
            // a single broker: transactions (Kafka Streams exactly-once) need these at 1
            broker.brokerProperties(Map.of(
                    "transaction.state.log.replication.factor", "1",
                    "transaction.state.log.min.isr", "1",
                    "offsets.topic.replication.factor", "1",
                    "group.initial.rebalance.delay.ms", "0"));
            // Kafka's test kit deletes the broker's directory in a JVM shutdown hook of its own: beside Spring's, it
            // failed the broker while the test contexts closed, and each context's consumer waited out its close
            // timeout (5 s) on a coordinator that no longer answered. It runs after them now, after the broker's stop.
            Exit.setShutdownHookAdder((name, hook) -> AfterSpringContexts.atExit(hook));
            try {
                broker.afterPropertiesSet();
            } finally {
                Exit.resetShutdownHookAdder();
            }
            EmbeddedKafkaKraftBroker started = broker;
            AfterSpringContexts.atExit(started::destroy);
        }
        return broker.getBrokersAsString();
    }

    /** Creates extra topics (e.g. a test's private ones) on the shared broker. */
    public static void createTopics(String... names) {
        bootstrapServers();
        broker.addTopics(names);
    }

    public static <V> void send(Topic<String, V> topic, String key, V value) {
        try (KafkaProducer<String, V> producer = new KafkaProducer<>(producerProps(),
                topic.keySerde().serializer(), topic.valueSerde().serializer())) {
            producer.send(new ProducerRecord<>(topic.name(), key, value)).get();
        } catch (Exception e) {
            throw new IllegalStateException("cannot send to " + topic.name(), e);
        }
    }

    /**
     * Reads a topic from the beginning until {@code matching} records with this key have arrived or the
     * timeout passes, and returns those seen.
     */
    public static <V> List<V> read(Topic<String, V> topic, String key, int matching, Duration timeout) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "test-reader-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<V> seen = new ArrayList<>();
        try (KafkaConsumer<String, V> consumer = new KafkaConsumer<>(props, topic.keySerde().deserializer(),
                topic.valueSerde().deserializer())) {
            consumer.subscribe(List.of(topic.name()));
            long deadline = System.nanoTime() + timeout.toNanos();
            while (seen.size() < matching && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, V> r : consumer.poll(Duration.ofMillis(100))) {
                    if (key.equals(r.key())) {
                        seen.add(r.value());
                    }
                }
            }
        }
        return seen;
    }

    /**
     * The values (as UTF-8 text) of one header of the first record with this key on {@code topic}, read from the
     * beginning; fails when no such record arrives within {@code timeout}.
     */
    public static List<String> headerValues(String topic, String key, String header, Duration timeout) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "test-reader-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    if (key.equals(record.key())) {
                        List<String> values = new ArrayList<>();
                        for (Header value : record.headers().headers(header)) {
                            values.add(new String(value.value(), StandardCharsets.UTF_8));
                        }
                        return values;
                    }
                }
            }
        }
        throw new IllegalStateException("no record with key " + key + " on " + topic + " within " + timeout);
    }

    private static Properties producerProps() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        return props;
    }
}
