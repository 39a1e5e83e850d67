package ai.mule.runner.agent;

import static org.awaitility.Awaitility.await;

import ai.mule.schemas.Topics;
import ai.mule.testkit.TestKafka;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/** What the broker knows of the agent runners' consumer group. */
final class RunnerGroup {

    private RunnerGroup() {
    }

    /** Waits until the group has committed every command on {@code mule.steps.agent}. */
    static void awaitAllCommitted(Duration timeout) {
        await().atMost(timeout).pollInterval(Duration.ofMillis(100)).until(() -> uncommitted().isEmpty());
    }

    /** Partitions whose committed offset is behind their end, with the end. */
    static Map<TopicPartition, Long> uncommitted() throws ExecutionException, InterruptedException {
        try (Admin admin = admin()) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin
                    .listConsumerGroupOffsets(AgentRunnerConfiguration.GROUP_ID).partitionsToOffsetAndMetadata().get();
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int p = 0; p < TestKafka.PARTITIONS; p++) {
                latest.put(new TopicPartition(Topics.STEPS_AGENT.name(), p), OffsetSpec.latest());
            }
            Map<TopicPartition, Long> behind = new HashMap<>();
            for (Map.Entry<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> end
                    : admin.listOffsets(latest).all().get().entrySet()) {
                OffsetAndMetadata at = committed.get(end.getKey());
                long position = at == null ? 0 : at.offset();
                if (position < end.getValue().offset()) {
                    behind.put(end.getKey(), end.getValue().offset());
                }
            }
            return behind;
        }
    }

    static int members() throws ExecutionException, InterruptedException {
        try (Admin admin = admin()) {
            return admin.describeConsumerGroups(java.util.List.of(AgentRunnerConfiguration.GROUP_ID)).all().get()
                    .get(AgentRunnerConfiguration.GROUP_ID).members().size();
        }
    }

    private static Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers()));
    }
}
