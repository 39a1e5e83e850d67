package ai.mule.localkafka;

import ai.mule.schemas.Topic;
import ai.mule.schemas.Topics;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.FeatureUpdate;
import org.apache.kafka.clients.admin.FinalizedVersionRange;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.UpdateFeaturesOptions;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.coordinator.transaction.AddPartitionsToTxnConfig;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;
import org.apache.kafka.server.common.TransactionVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Kafka node (the {@code kafka_2.13} server, KRaft mode: broker and controller in one process) whose log
 * lives under a directory that is kept between starts, so a second start finds the topics, the offsets and the
 * orchestrator's changelogs of the first. {@code ./mule up} runs one in its own JVM; a test cluster runs three,
 * each as its own process ({@link KafkaNode}); the test kit runs one in each test JVM.
 */
public final class LocalKafka implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LocalKafka.class);

    private final KafkaNode node;
    private final Map<String, String> overrides;
    private KafkaRaftServer server;

    public LocalKafka(KafkaNode node) {
        this(node, Map.of());
    }

    /** @param overrides broker properties over the node's own (the test kit lets producers create topics) */
    public LocalKafka(KafkaNode node, Map<String, String> overrides) {
        this.node = node;
        this.overrides = Map.copyOf(overrides);
    }

    /**
     * Starts the node; a single node also creates the Mule topics (a cluster's services create their own) and
     * brings a log directory formatted by an older Kafka up to the features this one has.
     */
    public void start() throws Exception {
        Files.createDirectories(node.logDir());
        KafkaConfig kafkaConfig = KafkaConfig.fromProps(brokerProperties());
        format();
        BrokerRequestHistograms.useUniformSamples();
        server = new KafkaRaftServer(kafkaConfig, Time.SYSTEM);
        server.startup();
        if (node.voters().size() == 1) {
            upgradeFeatures();
            createTopics();
        }
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + node.kafkaPort();
    }

    private Properties brokerProperties() {
        Properties p = new Properties();
        String replicas = String.valueOf(node.replicationFactor());
        p.put("process.roles", "broker,controller");
        p.put("node.id", String.valueOf(node.nodeId()));
        p.put("controller.quorum.voters", node.voters().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(v -> v.getKey() + "@127.0.0.1:" + v.getValue()).collect(Collectors.joining(",")));
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + node.kafkaPort() + ",CONTROLLER://127.0.0.1:" + node.controllerPort());
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + node.kafkaPort());
        p.put("controller.listener.names", "CONTROLLER");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("log.dirs", node.logDir().toString());
        // internal topics (offsets, transactions for exactly-once) get the cluster's replication
        p.put("offsets.topic.replication.factor", replicas);
        p.put("offsets.topic.num.partitions", "10");
        p.put("transaction.state.log.replication.factor", replicas);
        p.put("transaction.state.log.min.isr", String.valueOf(node.minInsyncReplicas()));
        p.put("transaction.state.log.num.partitions", "10");
        p.put("default.replication.factor", replicas);
        p.put("min.insync.replicas", String.valueOf(node.minInsyncReplicas()));
        // services join their groups at start; a 3 s initial rebalance delay would only slow start-up
        p.put("group.initial.rebalance.delay.ms", "0");
        // With transactions v2 the broker adds a partition to a transaction itself, on the transaction's first write
        // to it. If the producer's last transaction is still writing its markers, the coordinator answers
        // CONCURRENT_TRANSACTIONS and the broker retries after this backoff: 20 ms by default, far longer than the
        // markers take. The orchestrator commits many times a second, so that wait landed in the tail of every load:
        // step overhead p99 26-32 ms with 8 sync clients against 10-12 ms before transactions v2, and 11-17 ms with
        // 2 ms, as the orchestrator's producer retries its own requests (producer-retry-backoff; issue 14).
        p.put(AddPartitionsToTxnConfig.ADD_PARTITIONS_TO_TXN_RETRY_BACKOFF_MS_CONFIG, "2");
        p.put("auto.create.topics.enable", "false");
        p.put("num.partitions", String.valueOf(node.partitions()));
        p.put("log.retention.hours", "168");
        p.putAll(overrides);
        return p;
    }

    private void format() throws Exception {
        if (Files.exists(node.logDir().resolve("meta.properties"))) {
            return;
        }
        format(node, MetadataVersion.LATEST_PRODUCTION);
    }

    /** Formats the node's log directory as a Kafka of this release would (a test formats one as Kafka 3.9 did). */
    static void format(KafkaNode node, MetadataVersion release) throws Exception {
        new Formatter()
                .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                .setNodeId(node.nodeId())
                .setClusterId(node.clusterId())
                .setDirectories(List.of(node.logDir().toString()))
                .setMetadataLogDirectory(node.logDir().toString())
                .setControllerListenerName("CONTROLLER")
                .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
                .setReleaseVersion(release)
                .run();
    }

    /**
     * A log directory formatted by an older Kafka (by Mule's launcher before it moved to Kafka 4) keeps that
     * Kafka's metadata version and transaction protocol (v1) until told otherwise. Transactions v2 (KIP-890) drop
     * two of the round trips each exactly-once transaction of the orchestrator waits for, so a single node moves
     * its directory to this Kafka's production features once, at start; the older Kafka cannot read it after.
     */
    private void upgradeFeatures() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
            Map<String, FinalizedVersionRange> finalized = admin.describeFeatures().featureMetadata()
                    .get(60, TimeUnit.SECONDS).finalizedFeatures();
            short transactions = TransactionVersion.LATEST_PRODUCTION.featureLevel();
            if (level(finalized, TransactionVersion.FEATURE_NAME) >= transactions) {
                return;
            }
            short metadata = MetadataVersion.LATEST_PRODUCTION.featureLevel();
            if (level(finalized, MetadataVersion.FEATURE_NAME) < metadata) {
                upgrade(admin, MetadataVersion.FEATURE_NAME, metadata);
            }
            upgrade(admin, TransactionVersion.FEATURE_NAME, transactions);
            log.info("Kafka's log directory {} moved to metadata version {} and transaction version {}",
                    node.logDir(), MetadataVersion.LATEST_PRODUCTION, transactions);
        }
    }

    private static short level(Map<String, FinalizedVersionRange> finalized, String feature) {
        FinalizedVersionRange range = finalized.get(feature);
        return range == null ? 0 : range.maxVersionLevel();
    }

    private static void upgrade(Admin admin, String feature, short level) throws Exception {
        admin.updateFeatures(Map.of(feature, new FeatureUpdate(level, FeatureUpdate.UpgradeType.UPGRADE)),
                new UpdateFeaturesOptions()).all().get(60, TimeUnit.SECONDS);
    }

    private void createTopics() throws InterruptedException, ExecutionException, java.util.concurrent.TimeoutException {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
            Set<String> existing = admin.listTopics().names().get(60, TimeUnit.SECONDS);
            List<NewTopic> missing = Topics.all().stream()
                    .map(Topic::name)
                    .filter(name -> !existing.contains(name))
                    .map(name -> new NewTopic(name, node.partitions(), (short) 1))
                    .collect(Collectors.toList());
            if (!missing.isEmpty()) {
                admin.createTopics(missing).all().get(60, TimeUnit.SECONDS);
            }
        }
    }

    /** Runs until the process is stopped. */
    public void awaitShutdown() {
        server.awaitShutdown();
    }

    @Override
    public void close() {
        if (server != null) {
            server.shutdown();
            server.awaitShutdown();
            server = null;
        }
    }
}
