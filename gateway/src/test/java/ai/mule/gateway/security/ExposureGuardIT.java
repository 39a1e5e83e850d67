package ai.mule.gateway.security;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.mule.gateway.GatewayApplication;
import ai.mule.testkit.TestKafka;
import ai.mule.testkit.TestPostgres;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;

/** The real application, started on every interface without keys: it refuses, saying how to set a key. */
class ExposureGuardIT {

    @Test
    void refusesToStartOnANetworkAddressWithoutKeys() {
        TestPostgres.Database db = TestPostgres.newDatabase();
        String[] args = {"--server.address=0.0.0.0", "--server.port=0", "--mule.health.required-groups=",
                "--spring.datasource.url=" + db.jdbcUrl(), "--spring.datasource.username=" + db.username(),
                "--spring.datasource.password=" + db.password(),
                "--mule.kafka.bootstrap-servers=" + TestKafka.bootstrapServers()};

        assertThatThrownBy(() -> new SpringApplicationBuilder(GatewayApplication.class).run(args))
                .rootCause()
                .hasMessageContaining("refusing to listen on 0.0.0.0")
                .hasMessageContaining("MULE_API_KEYS=")
                .hasMessageContaining("MULE_ADMIN_KEY=");
    }
}
