package ai.mule.gateway.web;

import static ai.mule.gateway.Http.map;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.mule.gateway.Http;
import ai.mule.gateway.IntegrationTestBase;
import ai.mule.gateway.JobEvents;
import ai.mule.gateway.TestApi;
import ai.mule.schemas.JobEvent;
import ai.mule.schemas.Topics;
import ai.mule.testkit.FakeOpenAiServer;
import ai.mule.testkit.FakeOpenAiServer.Reply;
import ai.mule.testkit.TestKafka;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

/**
 * Slow direct agent calls fill their own pool and nothing else: while every agent-call thread waits on a provider that
 * takes seconds (a local fake, called through the real langchain4j client), SSE streams keep flowing, synchronous
 * workflow answers keep coming, and the call that finds the pool full is told 503 with Retry-After in OpenAI's shape.
 */
@TestPropertySource(properties = {"mule.pools.agent-calls.threads=2", "mule.pools.agent-calls.queue=1"})
class PoolIsolationIT extends IntegrationTestBase {

    private static final Duration SLOW = Duration.ofSeconds(8);
    private static final FakeOpenAiServer provider = FakeOpenAiServer.start();

    private final HttpClient client = HttpClient.newHttpClient();

    @AfterAll
    static void stopProvider() {
        provider.close();
    }

    @Test
    void slowAgentCallsFillOnlyTheirOwnPool() throws Exception {
        provider.answerWith(request -> Reply.completion("slowly").after(SLOW));
        String providerId = http.post("/api/v1/providers", map("name", TestApi.unique("slow"),
                "api_base_url", provider.baseUrl(), "api_key", "sk-slow")).json().at("/data/id").asText();
        String agent = api.agent(providerId, "be slow").get("name").asText();
        String workflow = workflowWithOneStep();

        // ten slow calls at once: more than Spring's default 8 threads, more than this pool's 2 threads + 1 queued
        List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            calls.add(client.sendAsync(post("/v1/chat/completions", "{\"model\":\"agent/" + agent
                    + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"), HttpResponse.BodyHandlers.ofString()));
        }
        assertThat(provider.awaitRequests(2, Duration.ofSeconds(10))).as("both agent-call threads wait on the provider")
                .hasSizeGreaterThanOrEqualTo(2);
        Instant saturated = Instant.now();

        // an SSE stream still gets its events
        HttpResponse<Stream<String>> stream = client.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/api/v1/jobs/events")).header("Accept", "text/event-stream")
                .GET().build(), HttpResponse.BodyHandlers.ofLines());
        assertThat(stream.statusCode()).isEqualTo(200);
        Iterator<String> lines = stream.body().iterator();
        String other = UUID.randomUUID().toString();
        TestKafka.send(Topics.JOB_EVENTS, other, new JobEvent.JobStarted(Topics.SCHEMA_VERSION, other, 1,
                Instant.now(), "elsewhere", 1));
        String seen = CompletableFuture.supplyAsync(() -> {
            while (lines.hasNext()) {
                String line = lines.next();
                if (line.contains(other)) {
                    return line;
                }
            }
            return null;
        }).get(4, TimeUnit.SECONDS);
        assertThat(seen).contains("job_started");
        stream.body().close();

        // a synchronous workflow answer still comes
        CompletableFuture<HttpResponse<String>> sync = client.sendAsync(post("/v1/chat/completions",
                "{\"model\":\"workflow/" + workflow + "\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"),
                HttpResponse.BodyHandlers.ofString());
        String jobId = await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
                .until(() -> jdbc.sql("SELECT CAST(id AS TEXT) FROM jobs WHERE workflow_name = ?").param(workflow)
                        .query(String.class).optional().orElse(null), id -> id != null);
        TestKafka.send(Topics.JOB_EVENTS, jobId, JobEvents.jobCompleted(jobId, 4, "DONE", null));
        HttpResponse<String> answer = sync.get(4, TimeUnit.SECONDS);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(answer.body()).contains("DONE");
        assertThat(Duration.between(saturated, Instant.now())).as("all of it while the slow calls still ran")
                .isLessThan(SLOW);

        // the calls past the pool were refused at once, in OpenAI's shape, with a time to come back
        List<HttpResponse<String>> answers = new ArrayList<>();
        for (CompletableFuture<HttpResponse<String>> call : calls) {
            answers.add(call.get(30, TimeUnit.SECONDS));
        }
        List<HttpResponse<String>> refused = answers.stream().filter(r -> r.statusCode() == 503).toList();
        assertThat(refused).as("the answers' statuses: %s", answers.stream().map(HttpResponse::statusCode).toList())
                .hasSize(7);
        JsonNode error = new Http.Response(503, "application/json", java.util.Map.of(), refused.get(0).body()).json();
        assertThat(error.at("/error/code").asText()).isEqualTo("overloaded");
        assertThat(error.at("/error/message").asText()).contains("mule.pools.agent-calls");
        assertThat(refused.get(0).headers().firstValue("Retry-After")).isPresent();
        assertThat(answers.stream().filter(r -> r.statusCode() == 200)).hasSize(3);
    }

    private HttpRequest post(String path, String json) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString(json)).build();
    }

    private String workflowWithOneStep() {
        JsonNode workflow = api.workflow();
        api.wasmStep(workflow.get("id").asText(), api.module("upper.wasm", "").get("id").asText(), null);
        return workflow.get("name").asText();
    }
}
