package ai.mule.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.junit.jupiter.api.Test;

class ConsumerLagGaugeTest {

    @Test
    void lagIsTheClientLevelRecordsLagMaxNotAPartitionsOrAnotherMetric() {
        Map<MetricName, Metric> metrics = new HashMap<>();
        put(metrics, "records-lag-max", "consumer-fetch-manager-metrics", Map.of("client-id", "c"), 7.0);
        put(metrics, "records-lag-max", "consumer-fetch-manager-metrics",
                Map.of("client-id", "c", "topic", "t", "partition", "0"), 99.0);
        put(metrics, "records-lag-max", "consumer-fetch-manager-metrics", Map.of("client-id", "d"), Double.NaN);
        put(metrics, "records-lead-min", "consumer-fetch-manager-metrics", Map.of("client-id", "c"), 50.0);
        put(metrics, "records-lag-max", "consumer-fetch-manager-metrics", Map.of("client-id", "x-restore-consumer"), 80.0);

        assertThat(ConsumerLagGauge.recordsLagMax(metrics)).isEqualTo(7.0);
        assertThat(ConsumerLagGauge.recordsLagMax(Map.of())).isZero();
    }

    @Test
    void theGaugeFollowsTheCurrentConsumerAndReadsZeroWithoutOne() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        AtomicReference<Map<MetricName, Metric>> current = new AtomicReference<>(Map.of());
        ConsumerLagGauge.register(registry, "g", current::get);
        double before = registry.get(ConsumerLagGauge.NAME).tag("group", "g").gauge().value();

        Map<MetricName, Metric> metrics = new HashMap<>();
        put(metrics, "records-lag-max", "consumer-fetch-manager-metrics", Map.of("client-id", "c"), 12.0);
        current.set(metrics);

        assertThat(before).isZero();
        assertThat(registry.get(ConsumerLagGauge.NAME).tag("group", "g").gauge().value()).isEqualTo(12.0);
    }

    private static void put(Map<MetricName, Metric> metrics, String name, String group, Map<String, String> tags,
                            double value) {
        MetricName metricName = new MetricName(name, group, "", tags);
        metrics.put(metricName, new Metric() {
            @Override
            public MetricName metricName() {
                return metricName;
            }

            @Override
            public Object metricValue() {
                return value;
            }
        });
    }
}
