package ai.mule.gateway.metrics;

import ai.mule.gateway.events.JobEventListener;
import ai.mule.gateway.ingress.IngressProperties;
import ai.mule.gateway.ingress.JobIngress;
import ai.mule.kafka.ConsumerLagGauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.springframework.stereotype.Component;

/**
 * {@code mule_consumer_lag_records{group}} of the gateway's consumers: the Kafka ingress group
 * ({@code mule-gateway-ingress}) and the job events listener, which joins no group (each gateway reads every
 * partition) and is labelled {@code mule-gateway-job-events}: its lag is how far sync answers trail the events.
 */
@Component
class GatewayConsumerLag implements MeterBinder {

    static final String EVENTS_LISTENER = "mule-gateway-job-events";

    private final JobEventListener events;
    private final JobIngress ingress;
    private final IngressProperties ingressProperties;

    GatewayConsumerLag(JobEventListener events, JobIngress ingress, IngressProperties ingressProperties) {
        this.events = events;
        this.ingress = ingress;
        this.ingressProperties = ingressProperties;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        ConsumerLagGauge.register(registry, EVENTS_LISTENER, events::consumerMetrics);
        ConsumerLagGauge.register(registry, ingressProperties.groupId(), ingress::consumerMetrics);
    }
}
