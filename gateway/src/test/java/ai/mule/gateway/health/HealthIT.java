package ai.mule.gateway.health;

import static org.assertj.core.api.Assertions.assertThat;

import ai.mule.gateway.Http;
import ai.mule.gateway.IntegrationTestBase;
import org.junit.jupiter.api.Test;

class HealthIT extends IntegrationTestBase {

    @Test
    void isOkWhenPostgresAndKafkaAnswerAndNoGroupIsRequired() {
        Http.Response health = http.get("/health");

        assertThat(health.status()).isEqualTo(200);
        assertThat(health.body()).isEqualTo("OK");
    }
}
