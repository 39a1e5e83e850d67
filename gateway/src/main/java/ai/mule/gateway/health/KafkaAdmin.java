package ai.mule.gateway.health;

import ai.mule.gateway.kafka.KafkaClients;
import java.time.Duration;
import org.apache.kafka.clients.admin.Admin;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/** The one admin client the readiness check uses, closed with the application. */
@Component
class KafkaAdmin implements DisposableBean {

    private final Admin client;

    KafkaAdmin(KafkaClients kafka, HealthProperties properties) {
        this.client = kafka.admin(properties.timeout());
    }

    Admin client() {
        return client;
    }

    @Override
    public void destroy() {
        client.close(Duration.ofSeconds(1));
    }
}
