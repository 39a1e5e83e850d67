package ai.mule.gateway.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * {@code mule_outbox_records}: messages written and not yet deleted after Kafka's ack. It stays near zero while the
 * relay keeps up (acknowledged rows go within about 100 ms); growth means Kafka refuses or is out of reach. Counted
 * at scrape time (one indexed count over a table the relay keeps short); NaN when PostgreSQL does not answer.
 */
@Component
class OutboxMetrics implements MeterBinder {

    private final JdbcClient jdbc;

    OutboxMetrics(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("mule.outbox", this, OutboxMetrics::depth)
                .description("Outbox messages not yet published to Kafka")
                .baseUnit("records")
                .register(registry);
    }

    double depth() {
        try {
            return jdbc.sql("SELECT count(*) FROM outbox").query(Long.class).single();
        } catch (RuntimeException e) {
            return Double.NaN;
        }
    }
}
