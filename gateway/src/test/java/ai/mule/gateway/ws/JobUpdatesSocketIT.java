package ai.mule.gateway.ws;

import static org.assertj.core.api.Assertions.assertThat;

import ai.mule.gateway.IntegrationTestBase;
import ai.mule.schemas.JobEvent;
import ai.mule.schemas.JsonSerde;
import ai.mule.schemas.Topics;
import ai.mule.testkit.TestKafka;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

/** Mule v2's {@code WS /ws} fed from mule.jobs.events; the test plays the orchestrator. Same keys as the SSE IT. */
@TestPropertySource(properties = {"mule.security.api-keys=" + JobUpdatesSocketIT.KEY,
        "mule.events.heartbeat-interval=100ms"})
class JobUpdatesSocketIT extends IntegrationTestBase {

    static final String KEY = "all-jobs-stream-key";

    @Test
    void sendsJobUpdatesInMuleV2sShapeInEventOrder() throws Exception {
        BlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
        WebSocket socket = connect("?api_key=" + KEY, frames);
        assertThat(frames.poll(10, TimeUnit.SECONDS).path("type").asText()).isEqualTo("connection_status");
        // a job as the gateway stored it when it accepted it (the API takes a key this test's Http does not send)
        String jobId = UUID.randomUUID().toString();
        jdbc.sql("INSERT INTO jobs (id, workflow_name, status, input_data) VALUES (CAST(? AS UUID), 'ws-flow', 'queued', "
                + "'{\"prompt\": \"hi\"}')").param(jobId).update();

        Instant now = Instant.now();
        TestKafka.send(Topics.JOB_EVENTS, jobId, new JobEvent.JobStarted(Topics.SCHEMA_VERSION, jobId, 1, now, "wf", 1));
        TestKafka.send(Topics.JOB_EVENTS, jobId, new JobEvent.JobCompleted(Topics.SCHEMA_VERSION, jobId, 2, now,
                JsonSerde.mapper().createObjectNode().put("prompt", "done"), null));

        List<JsonNode> updates = new ArrayList<>();
        List<String> events = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while ((updates.size() < 2 || events.size() < 2) && System.nanoTime() < deadline) {
            JsonNode frame = frames.poll(1, TimeUnit.SECONDS);
            if (frame == null || !frame.at("/data/id").asText(frame.at("/data/job_id").asText()).equals(jobId)) {
                continue;
            }
            assertThat(frame.has("timestamp")).isTrue();
            if (frame.get("type").asText().equals("job_update")) {
                updates.add(frame.get("data"));
            } else {
                events.add(frame.at("/data/type").asText());
            }
        }
        socket.abort();

        assertThat(updates).extracting(u -> u.get("status").asText()).containsExactly("running", "completed");
        assertThat(updates.get(1).get("workflow_name").asText()).as("the whole job, as GET /jobs/{id} shows it")
                .isEqualTo("ws-flow");
        assertThat(updates.get(1).at("/input_data/prompt").asText()).isEqualTo("hi");
        assertThat(events).containsExactly("job_started", "job_completed");
    }

    @Test
    void aHandshakeWithoutAKeyIsRefused() {
        ExecutionException refused = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> connect("", new LinkedBlockingQueue<>()));

        assertThat(refused.getCause()).isInstanceOf(WebSocketHandshakeException.class);
        assertThat(((WebSocketHandshakeException) refused.getCause()).getResponse().statusCode()).isEqualTo(401);
    }

    private WebSocket connect(String query, BlockingQueue<JsonNode> frames) throws Exception {
        return HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws" + query), new WebSocket.Listener() {
                    private final StringBuilder text = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                        text.append(data);
                        if (last) {
                            try {
                                frames.add(JsonSerde.mapper().readTree(text.toString()));
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                            text.setLength(0);
                        }
                        webSocket.request(1);
                        return null;
                    }
                }).get(10, TimeUnit.SECONDS);
    }
}
