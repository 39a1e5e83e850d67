package ai.mule.kafka;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/**
 * {@code mule_consumer_lag_records{group}}, the one lag gauge of every Mule consumer: the most records the consumer
 * was behind on any partition lately, from the client's own {@code records-lag-max} (Kafka keeps it over its last
 * ~minute of fetches; no admin round trip at scrape time). 0 before the first fetch and while no consumer runs.
 */
public final class ConsumerLagGauge {

    public static final String NAME = "mule.consumer.lag";

    private ConsumerLagGauge() {
    }

    /**
     * Registers the gauge of {@code group}; {@code metrics} gives the current consumer's metrics (or an empty map
     * while there is none), read at scrape time: Kafka clients' metrics are thread safe.
     */
    public static void register(MeterRegistry registry, String group,
                                Supplier<Map<MetricName, ? extends Metric>> metrics) {
        Gauge.builder(NAME, metrics, m -> recordsLagMax(m.get()))
                .description("The most records the consumer group was behind on one partition lately")
                .baseUnit("records")
                .tag("group", group)
                .strongReference(true)
                .register(registry);
    }

    /**
     * The largest client-level {@code records-lag-max} (not a per-partition one) among the consumers in
     * {@code metrics}; Kafka Streams' restore consumers have no lag to tell and are left out.
     */
    public static double recordsLagMax(Map<MetricName, ? extends Metric> metrics) {
        double max = 0;
        for (Map.Entry<MetricName, ? extends Metric> entry : metrics.entrySet()) {
            MetricName name = entry.getKey();
            if (name.name().equals("records-lag-max") && name.group().equals("consumer-fetch-manager-metrics")
                    && !name.tags().containsKey("topic") && !name.tags().containsKey("partition")
                    && !name.tags().getOrDefault("client-id", "").endsWith("-restore-consumer")
                    && entry.getValue().metricValue() instanceof Double value && Double.isFinite(value)) {
                max = Math.max(max, value);
            }
        }
        return max;
    }
}
