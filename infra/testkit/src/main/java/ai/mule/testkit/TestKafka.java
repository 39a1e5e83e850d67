package ai.mule.testkit;

import ai.mule.localkafka.FreePorts;
import ai.mule.localkafka.KafkaNode;
import ai.mule.localkafka.LocalKafka;
import ai.mule.schemas.Topic;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A real single-node KRaft Kafka broker, the one {@code ./mule up} runs ({@link LocalKafka}), started once per JVM
 * in a directory of its own with every Mule topic created. Tests keep apart by using fresh job ids (every message is
 * keyed by job id) and fresh consumer group ids.
 */
public final class TestKafka {

    public static final int PARTITIONS = 3;
    private static LocalKafka broker;

    private TestKafka() {
    }

    public static synchronized String bootstrapServers() {
        if (broker == null) {
            broker = start();
        }
        return broker.bootstrapServers();
    }

    private static LocalKafka start() {
        try {
            Path directory = Files.createTempDirectory("mule-test-kafka");
            KafkaNode node = KafkaNode.single(directory, FreePorts.next(), FreePorts.next(), PARTITIONS);
            // tests may produce to a topic of their own before creating it, as Kafka's default allows
            LocalKafka kafka = new LocalKafka(node, Map.of("auto.create.topics.enable", "true"));
            // the broker stops after every cached Spring context has closed, whose consumers still talk to it
            AfterSpringContexts.atExit(() -> {
                kafka.close();
                deleteTree(directory);
            });
            kafka.start();
            return kafka;
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the test Kafka broker", e);
        }
    }

    /** Creates extra topics (e.g. a test's private ones) on the shared broker. */
    public static void createTopics(String... names) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
            admin.createTopics(Arrays.stream(names).map(name -> new NewTopic(name, PARTITIONS, (short) 1)).toList())
                    .all().get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("cannot create topics " + Arrays.toString(names), e);
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot create topics " + Arrays.toString(names), e);
        }
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

    private static void deleteTree(Path directory) {
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Properties producerProps() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        return props;
    }
}
