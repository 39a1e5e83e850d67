package ai.mule.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import ai.mule.testkit.Prometheus;
import ai.mule.testkit.TestKafka;
import ai.mule.testkit.TestPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

/** With API keys configured, probes still answer without one (a kubelet sends none); metrics take a key. */
// Spring Boot's tests switch metrics export off unless asked
@AutoConfigureObservability(tracing = false)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestPropertySource(properties = {"mule.health.required-groups=", "mule.security.api-keys=probe-key"})
class ProbesWithKeysIT {

    private static final TestPostgres.Database DB = TestPostgres.newDatabase();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        registry.add("spring.datasource.url", DB::jdbcUrl);
        registry.add("spring.datasource.username", DB::username);
        registry.add("spring.datasource.password", DB::password);
        registry.add("mule.kafka.bootstrap-servers", TestKafka::bootstrapServers);
    }

    @Test
    void probesNeedNoKeyAndMetricsDo() throws Exception {
        assertThat(get("/actuator/health/liveness").statusCode()).isEqualTo(200);
        assertThat(get("/actuator/health/readiness").statusCode()).isEqualTo(200);
        assertThat(get("/actuator/health").statusCode()).isEqualTo(200);
        assertThat(get("/actuator/prometheus").statusCode()).isEqualTo(401);
        assertThat(get("/actuator/health/../prometheus").statusCode()).isIn(400, 401, 404);
        assertThat(get("/actuator/health/%2e%2e/prometheus").statusCode()).isIn(400, 401, 404);

        Prometheus scraped = Prometheus.scrape("http://127.0.0.1:" + port, "probe-key");

        assertThat(scraped.has("mule_jobs_accepted_total", "source", "api")).isTrue();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
