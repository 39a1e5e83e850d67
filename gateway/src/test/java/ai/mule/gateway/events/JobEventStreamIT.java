package ai.mule.gateway.events;

import static ai.mule.gateway.Http.map;
import static org.assertj.core.api.Assertions.assertThat;

import ai.mule.gateway.IntegrationTestBase;
import ai.mule.schemas.JobEvent;
import ai.mule.schemas.JsonSerde;
import ai.mule.schemas.Topics;
import ai.mule.testkit.TestKafka;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The tests play the orchestrator: they publish the job's events on mule.jobs.events. */
class JobEventStreamIT extends IntegrationTestBase {

    @Test
    void streamsAJobsStateChangesFromKafkaAndEndsWithItsTerminalEvent() throws Exception {
        String jobId = queuedJob();
        CompletableFuture<HttpResponse<java.util.stream.Stream<String>>> response = HttpClient.newHttpClient().sendAsync(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/jobs/" + jobId + "/events"))
                        .header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofLines());
        HttpResponse<java.util.stream.Stream<String>> stream = response.get(10, TimeUnit.SECONDS);
        assertThat(stream.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");

        // the stream is open (its first frame, the job as stored, is on its way): now the job runs
        Thread.sleep(300);
        TestKafka.send(Topics.JOB_EVENTS, jobId, new JobEvent.JobStarted(Topics.SCHEMA_VERSION, jobId, 1, Instant.now(), "w", 1));
        TestKafka.send(Topics.JOB_EVENTS, jobId, new JobEvent.JobCompleted(Topics.SCHEMA_VERSION, jobId, 2, Instant.now(),
                JsonSerde.mapper().createObjectNode().put("prompt", "DONE"), null));

        List<String> lines = CompletableFuture.supplyAsync(() -> stream.body().toList()).get(20, TimeUnit.SECONDS);
        assertThat(lines).contains("event: job", "event: job_started", "id: 1", "event: job_completed", "id: 2");
        assertThat(lines.indexOf("event: job")).isLessThan(lines.indexOf("event: job_started"));
        assertThat(lines.stream().filter(l -> l.startsWith("data: ")).toList().get(2)).contains("\"prompt\":\"DONE\"");
    }

    @Test
    void aFinishedJobAnswersItsFinalStateAndCloses() throws Exception {
        String jobId = queuedJob();
        jdbc.sql("UPDATE jobs SET status = 'completed', output_data = '{\"prompt\": \"old\"}' WHERE id = ?")
                .param(UUID.fromString(jobId)).update();

        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + port + "/api/v1/jobs/" + jobId + "/events")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).startsWith("event: job\ndata: ").contains("\"status\":\"completed\"").contains("old");
    }

    @Test
    void anUnknownJobIsNotFound() {
        assertThat(http.get("/api/v1/jobs/" + UUID.randomUUID() + "/events").status()).isEqualTo(404);
        assertThat(http.get("/api/v1/jobs/nope/events").status()).isEqualTo(404);
    }

    private String queuedJob() {
        String workflow = api.workflow().get("id").asText();
        api.wasmStep(workflow, api.module("upper.wasm", "").get("id").asText(), null);
        return http.post("/api/v1/jobs", map("workflow_id", workflow)).json().at("/data/id").asText();
    }
}
