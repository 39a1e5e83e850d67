package ai.mule.gateway.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import ai.mule.gateway.Http;
import ai.mule.gateway.IntegrationTestBase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class IdempotencyIT extends IntegrationTestBase {

    @Test
    void theSameKeyReturnsTheSameJobEvenWhenRequestsRace() throws Exception {
        String workflow = workflowWithOneStep();
        String key = UUID.randomUUID().toString();
        String body = "{\"workflow_id\": \"" + workflow + "\", \"input_data\": {\"prompt\": \"x\"}}";

        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<HttpResponse<String>>> calls = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            calls.add(pool.submit((Callable<HttpResponse<String>>) () -> post("/api/v1/jobs", key, body)));
        }
        List<HttpResponse<String>> answers = new ArrayList<>();
        for (Future<HttpResponse<String>> call : calls) {
            answers.add(call.get());
        }
        pool.shutdown();

        Set<String> ids = answers.stream().map(r -> new Http.Response(r.statusCode(), "", r.headers().map(), r.body())
                .json().at("/data/id").asText()).collect(Collectors.toSet());
        assertThat(ids).hasSize(1);
        assertThat(answers.stream().filter(r -> r.statusCode() == 201)).hasSize(1);
        assertThat(answers.stream().filter(r -> r.statusCode() == 200
                && "true".equals(r.headers().firstValue("Idempotent-Replayed").orElse(null)))).hasSize(7);
        assertThat(jdbc.sql("SELECT count(*) FROM jobs WHERE idempotency_key = ?").param(key).query(Long.class).single())
                .isEqualTo(1);
    }

    @Test
    void aKeyReusedForAnotherWorkflowIsAConflictAndABadKeyIsRefused() throws Exception {
        String key = UUID.randomUUID().toString();
        assertThat(post("/api/v1/jobs", key, "{\"workflow_id\": \"" + workflowWithOneStep() + "\"}").statusCode()).isEqualTo(201);

        HttpResponse<String> other = post("/api/v1/jobs", key, "{\"workflow_id\": \"" + workflowWithOneStep() + "\"}");
        HttpResponse<String> bad = post("/api/v1/jobs", "x".repeat(300), "{\"workflow_id\": \"" + workflowWithOneStep() + "\"}");

        assertThat(other.statusCode()).isEqualTo(409);
        assertThat(other.body()).contains("Idempotency-Key");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("1 to 255 visible ASCII characters").contains("got 300 characters");
        HttpResponse<String> spaced = post("/api/v1/jobs", "order 17", "{\"workflow_id\": \"" + workflowWithOneStep() + "\"}");
        assertThat(spaced.statusCode()).isEqualTo(400);
        assertThat(spaced.body()).as("names the character that is not allowed").contains("character 6 is a space");
        assertThat(jdbc.sql("SELECT count(*) FROM jobs WHERE idempotency_key = ?").param(key).query(Long.class).single())
                .isEqualTo(1);
    }

    @Test
    void asyncChatCompletionsHonourTheKey() throws Exception {
        String name = http.get("/api/v1/workflows/" + workflowWithOneStep()).json().at("/data/name").asText();
        String key = UUID.randomUUID().toString();
        String body = "{\"model\": \"async/workflow/" + name + "\", \"messages\": [{\"role\": \"user\", \"content\": \"x\"}]}";

        HttpResponse<String> first = post("/v1/chat/completions", key, body);
        HttpResponse<String> second = post("/v1/chat/completions", key, body);

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(second.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(new Http.Response(200, "", second.headers().map(), second.body()).json().get("id").asText())
                .isEqualTo(new Http.Response(200, "", first.headers().map(), first.body()).json().get("id").asText());
        assertThat(jdbc.sql("SELECT count(*) FROM jobs WHERE workflow_name = ?").param(name).query(Long.class).single())
                .isEqualTo(1);
    }

    private HttpResponse<String> post(String path, String key, String body) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Content-Type", "application/json").header("Idempotency-Key", key)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private String workflowWithOneStep() {
        String workflow = api.workflow().get("id").asText();
        api.wasmStep(workflow, api.module("upper.wasm", "").get("id").asText(), null);
        return workflow;
    }

}
