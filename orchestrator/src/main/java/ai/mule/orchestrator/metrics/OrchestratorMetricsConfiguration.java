package ai.mule.orchestrator.metrics;

import ai.mule.orchestrator.jobs.OrchestratorProperties;
import ai.mule.orchestrator.jobs.OrchestratorStreams;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Map;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class OrchestratorMetricsConfiguration {

    @Bean
    JobEventMetrics jobEventMetrics(MeterRegistry registry) {
        return new JobEventMetrics(registry);
    }

    /**
     * {@code mule_consumer_lag_records{group="<application id>"}}: the most records the orchestrator's stream threads
     * were behind on one input partition lately, from their consumers' own {@code records-lag-max}.
     */
    @Bean
    MeterBinder orchestratorLag(OrchestratorStreams streams, OrchestratorProperties properties) {
        return registry -> Gauge.builder("mule.consumer.lag", streams, s -> recordsLagMax(s.metrics()))
                .description("The most records the consumer group was behind on one partition lately")
                .baseUnit("records")
                .tag("group", properties.applicationId())
                .register(registry);
    }

    /** The largest client-level {@code records-lag-max} of the main consumers (restore consumers have no lag to tell). */
    static double recordsLagMax(Map<MetricName, ? extends Metric> metrics) {
        double max = 0;
        for (Map.Entry<MetricName, ? extends Metric> entry : metrics.entrySet()) {
            MetricName name = entry.getKey();
            String client = name.tags().getOrDefault("client-id", "");
            if (name.name().equals("records-lag-max") && name.group().equals("consumer-fetch-manager-metrics")
                    && !name.tags().containsKey("topic") && !name.tags().containsKey("partition")
                    && !client.endsWith("-restore-consumer")
                    && entry.getValue().metricValue() instanceof Double value && Double.isFinite(value)) {
                max = Math.max(max, value);
            }
        }
        return max;
    }
}
