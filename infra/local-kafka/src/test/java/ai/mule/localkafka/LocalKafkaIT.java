package ai.mule.localkafka;

import static org.assertj.core.api.Assertions.assertThat;

import ai.mule.schemas.Topic;
import ai.mule.schemas.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.FinalizedVersionRange;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.coordinator.transaction.AddPartitionsToTxnConfig;
import org.apache.kafka.server.common.MetadataVersion;
import org.apache.kafka.server.common.TransactionVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalKafkaIT {

    @TempDir
    Path home;

    @Test
    void aLogDirectoryAnOlderKafkaFormattedRunsTransactionsV2AfterItsFirstStart() throws Exception {
        // as Mule's launcher formatted .mule/kafka while it ran Kafka 3.9: transaction version 0, the v1 protocol
        KafkaNode node = KafkaNode.single(home.resolve("kafka"), FreePorts.next(), FreePorts.next(), 2);
        Files.createDirectories(node.logDir());
        LocalKafka.format(node, MetadataVersion.IBP_3_9_IV0);

        try (LocalKafka kafka = new LocalKafka(node)) {
            kafka.start();
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                    kafka.bootstrapServers()))) {
                Map<String, FinalizedVersionRange> features = admin.describeFeatures().featureMetadata()
                        .get(30, TimeUnit.SECONDS).finalizedFeatures();
                assertThat(features).containsKeys(TransactionVersion.FEATURE_NAME, MetadataVersion.FEATURE_NAME);
                assertThat(features.get(TransactionVersion.FEATURE_NAME).maxVersionLevel())
                        .isEqualTo(TransactionVersion.LATEST_PRODUCTION.featureLevel());
                assertThat(features.get(MetadataVersion.FEATURE_NAME).maxVersionLevel())
                        .isEqualTo(MetadataVersion.LATEST_PRODUCTION.featureLevel());
                assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS))
                        .containsAll(Topics.all().stream().map(Topic::name).toList());
                // what the broker runs with, not what was handed to it: a later override would win
                ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER, String.valueOf(node.nodeId()));
                Config runs = admin.describeConfigs(List.of(broker)).all().get(30, TimeUnit.SECONDS).get(broker);
                assertThat(runs.get(AddPartitionsToTxnConfig.ADD_PARTITIONS_TO_TXN_RETRY_BACKOFF_MS_CONFIG).value())
                        .isEqualTo("2");
            }
        }

        // a second start finds the directory as the first left it, and leaves it so
        try (LocalKafka again = new LocalKafka(node)) {
            again.start();
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                    again.bootstrapServers()))) {
                assertThat(admin.describeFeatures().featureMetadata().get(30, TimeUnit.SECONDS).finalizedFeatures()
                        .get(TransactionVersion.FEATURE_NAME).maxVersionLevel())
                        .isEqualTo(TransactionVersion.LATEST_PRODUCTION.featureLevel());
            }
        }
    }
}
