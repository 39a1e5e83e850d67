package ai.mule.gateway.health;

import static ai.mule.gateway.Http.map;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.mule.gateway.Http;
import ai.mule.gateway.IntegrationTestBase;
import ai.mule.gateway.JobEvents;
import ai.mule.gateway.events.JobEventSubscribers;
import ai.mule.schemas.JobEvent;
import ai.mule.schemas.Topics;
import ai.mule.testkit.TestKafka;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * A background loop killed by an {@code Error} (here the job events listener, by an {@code OutOfMemoryError}
 * thrown from a subscriber on its thread, as any allocation could) is restarted; while it is down {@code /health}
 * answers 503 naming it, and a synchronous call works again once it is back.
 */
class LoopRestartIT extends IntegrationTestBase {

    @Autowired
    JobEventSubscribers subscribers;

    @Test
    void theEventsListenerIsRestartedAfterAnErrorAndHealthNamesItWhileItIsDown() throws Exception {
        assertThat(http.get("/health").status()).isEqualTo(200);
        String doomed = UUID.randomUUID().toString();
        AtomicBoolean thrown = new AtomicBoolean();
        Http.Response whileDown;
        try (AutoCloseable subscription = subscribers.subscribe(doomed, event -> {
            if (thrown.compareAndSet(false, true)) {
                throw new OutOfMemoryError("thrown by the test: the listener's thread ran out of memory");
            }
        })) {
            TestKafka.send(Topics.JOB_EVENTS, doomed, new JobEvent.JobFailed(Topics.SCHEMA_VERSION, doomed, 1,
                    Instant.now(), "whatever"));

            whileDown = await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20))
                    .until(() -> http.get("/health"), health -> health.status() == 503);
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> http.get("/health").status() == 200);
        }

        assertThat(thrown).isTrue();
        JsonNode problems = whileDown.json().get("problems");
        assertThat(problems.toString()).contains("mule-job-events").contains("OutOfMemoryError");
        assertThat(whileDown.json().get("status").asText()).isEqualTo("not_ready");
        assertThat(syncChatCompletion()).isEqualTo("AFTER THE RESTART");
    }

    /** A workflow/<name> completion, answered by the test playing the orchestrator: it needs the listener. */
    private String syncChatCompletion() throws Exception {
        JsonNode workflow = api.workflow();
        api.wasmStep(workflow.get("id").asText(), api.module("upper.wasm", "").get("id").asText(), null);
        String name = workflow.get("name").asText();
        CompletableFuture<Http.Response> call = CompletableFuture.supplyAsync(() -> http.post("/v1/chat/completions",
                map("model", "workflow/" + name, "messages", List.of(map("role", "user", "content", "after")))));
        String jobId = await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> jdbc.sql("SELECT CAST(id AS TEXT) FROM jobs WHERE workflow_name = ?").param(name)
                        .query(String.class).optional().orElse(null), id -> id != null);
        TestKafka.send(Topics.JOB_EVENTS, jobId, JobEvents.jobCompleted(jobId, 2, "AFTER THE RESTART", null));
        Http.Response response = call.get(20, TimeUnit.SECONDS);
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return response.json().at("/choices/0/message/content").asText();
    }
}
