package ai.mule.orchestrator.metrics;

import ai.mule.kafka.ConsumerLagGauge;
import ai.mule.orchestrator.jobs.OrchestratorProperties;
import ai.mule.orchestrator.jobs.OrchestratorStreams;
import ai.mule.orchestrator.status.JobStatusWriter;
import ai.mule.orchestrator.status.StatusWriterProperties;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
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
        return registry -> ConsumerLagGauge.register(registry, properties.applicationId(), streams::metrics);
    }

    /** {@code mule_consumer_lag_records{group="mule-job-status-writer"}}: how far the job rows are behind the events. */
    @Bean
    MeterBinder statusWriterLag(JobStatusWriter writer, StatusWriterProperties properties) {
        return registry -> ConsumerLagGauge.register(registry, properties.groupId(), writer::consumerMetrics);
    }
}
