package ai.mule.gateway.events;

import static ai.mule.gateway.Http.map;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.mule.gateway.GatewayApplication;
import ai.mule.gateway.Http;
import ai.mule.gateway.IntegrationTestBase;
import ai.mule.gateway.JobEvents;
import ai.mule.gateway.TestApi;
import ai.mule.schemas.JobRequest;
import ai.mule.schemas.JsonSerde;
import ai.mule.schemas.Topics;
import ai.mule.testkit.TestKafka;
import ai.mule.testkit.TestPostgres;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * A gateway told to stop (a deploy, a restart) first drains its in-flight requests: a synchronous call waiting for
 * its job then still gets its answer, because the job events listener and the outbox relay run until the web server
 * has stopped. Its own application, since the test stops it.
 */
class GracefulShutdownIT {

    @Test
    void aSyncCallWaitingWhenTheGatewayIsToldToStopIsAnsweredBeforeItStops() throws Exception {
        TestPostgres.Database db = TestPostgres.newDatabase();
        ConfigurableApplicationContext gateway = new SpringApplicationBuilder(GatewayApplication.class).run(
                "--server.port=0", "--mule.health.required-groups=",
                "--mule.secrets.master-key=" + IntegrationTestBase.MASTER_KEY,
                "--spring.lifecycle.timeout-per-shutdown-phase=15s",
                "--spring.datasource.url=" + db.jdbcUrl(), "--spring.datasource.username=" + db.username(),
                "--spring.datasource.password=" + db.password(),
                "--mule.kafka.bootstrap-servers=" + TestKafka.bootstrapServers());
        try {
            int port = ((WebServerApplicationContext) gateway).getWebServer().getPort();
            Http http = new Http(port);
            TestApi api = new TestApi(http);
            JsonNode workflow = api.workflow();
            api.wasmStep(workflow.get("id").asText(), api.module("upper.wasm", "").get("id").asText(), null);
            String name = workflow.get("name").asText();

            CompletableFuture<Http.Response> call = CompletableFuture.supplyAsync(() -> http.post(
                    "/v1/chat/completions", map("model", "workflow/" + name, "messages",
                            List.of(map("role", "user", "content", "drain")))));
            JdbcClient jdbc = gateway.getBean(JdbcClient.class);
            String jobId = await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                    .until(() -> jdbc.sql("SELECT CAST(id AS TEXT) FROM jobs WHERE workflow_name = ?").param(name)
                            .query(String.class).optional().orElse(null), id -> id != null);
            List<JobRequest> relayed = TestKafka.read(Topics.JOB_REQUESTS, jobId, 1, Duration.ofSeconds(15));
            assertThat(relayed).hasSize(1);

            CompletableFuture<Void> stopping = CompletableFuture.runAsync(gateway::close);
            // the graceful shutdown has begun once the server takes no new connection; the waiting call stays open
            await().atMost(Duration.ofSeconds(10)).until(() -> !accepts(port));
            assertThat(call).as("answered before its job ended").isNotDone();

            TestKafka.send(Topics.JOB_EVENTS, jobId, JobEvents.jobCompleted(jobId, 4,
                    JsonSerde.mapper().createObjectNode().put("prompt", "DRAIN"), null));

            Http.Response answer = call.get(10, TimeUnit.SECONDS);
            assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
            assertThat(answer.json().at("/choices/0/message/content").asText()).isEqualTo("DRAIN");
            stopping.get(30, TimeUnit.SECONDS);
        } finally {
            gateway.close();
        }
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
