package ai.mule.gateway.metrics;

import ai.mule.gateway.health.HealthProperties;
import ai.mule.gateway.kafka.KafkaClients;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * How far each of the pipeline's consumer groups ({@code mule.health.required-groups}) is behind, seen from the
 * broker: the sum over its partitions of the end offset minus the group's committed offset. For the dashboard,
 * which has no Prometheus to ask. A topic written in transactions ends with a commit marker that no consumer
 * commits past until it reads on, so a group idle after a transaction can show one record per partition.
 */
@Component
class ConsumerLag implements DisposableBean {

    private final Admin admin;
    private final HealthProperties properties;

    ConsumerLag(KafkaClients kafka, HealthProperties properties) {
        this.admin = kafka.admin(properties.timeout());
        this.properties = properties;
    }

    record GroupLag(String group, Long records, String problem) {
    }

    List<GroupLag> groups() {
        List<GroupLag> lags = new ArrayList<>();
        for (String group : properties.requiredGroups()) {
            lags.add(lag(group));
        }
        return lags;
    }

    GroupLag lag(String group) {
        long timeout = properties.timeout().toMillis();
        try {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(timeout, TimeUnit.MILLISECONDS);
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            committed.forEach((partition, offset) -> {
                if (offset != null) {
                    latest.put(partition, OffsetSpec.latest());
                }
            });
            if (latest.isEmpty()) {
                return new GroupLag(group, null, "no committed offsets yet");
            }
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(latest).all()
                    .get(timeout, TimeUnit.MILLISECONDS);
            long lag = 0;
            for (Map.Entry<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> end : ends.entrySet()) {
                lag += Math.max(0, end.getValue().offset() - committed.get(end.getKey()).offset());
            }
            return new GroupLag(group, lag, null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new GroupLag(group, null, "interrupted");
        } catch (ExecutionException | TimeoutException e) {
            return new GroupLag(group, null, "kafka: " + (e.getCause() == null ? e : e.getCause()).getMessage());
        }
    }

    @Override
    public void destroy() {
        admin.close(Duration.ofSeconds(1));
    }
}
