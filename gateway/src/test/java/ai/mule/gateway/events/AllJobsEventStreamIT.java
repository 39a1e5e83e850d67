package ai.mule.gateway.events;

import static org.assertj.core.api.Assertions.assertThat;

import ai.mule.gateway.IntegrationTestBase;
import ai.mule.gateway.JobEvents;
import ai.mule.schemas.JobEvent;
import ai.mule.schemas.JsonSerde;
import ai.mule.schemas.Topics;
import ai.mule.testkit.TestKafka;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

/**
 * {@code GET /api/v1/jobs/events}, the one stream the dashboard's Jobs list follows every job with. The tests play the
 * orchestrator: they publish events of jobs on mule.jobs.events. Keys are configured here, and heartbeats come every
 * 100 ms so that they fall between the events.
 */
@TestPropertySource(properties = {"mule.security.api-keys=" + AllJobsEventStreamIT.KEY,
        "mule.events.heartbeat-interval=100ms"})
class AllJobsEventStreamIT extends IntegrationTestBase {

    static final String KEY = "all-jobs-stream-key";

    private final HttpClient client = HttpClient.newHttpClient();

    /** One parsed frame: its {@code event:} name and its {@code data:} as JSON. */
    private record Frame(String event, JsonNode data) {
    }

    @Test
    void streamsTheEventsOfEveryJobEachJobsInOrderBetweenHeartbeats() throws Exception {
        HttpResponse<Stream<String>> response = open("/api/v1/jobs/events", KEY, "text/event-stream");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        Iterator<String> lines = response.body().iterator();

        // the stream is subscribed once its headers are here: two jobs run, their events interleaved
        String a = UUID.randomUUID().toString();
        String b = UUID.randomUUID().toString();
        Instant now = Instant.now();
        List<Map.Entry<String, JobEvent>> events = List.of(
                Map.entry(a, new JobEvent.JobStarted(Topics.SCHEMA_VERSION, a, 1, now, "wf-a", 1)),
                Map.entry(b, new JobEvent.JobStarted(Topics.SCHEMA_VERSION, b, 1, now, "wf-b", 1)),
                Map.entry(a, JobEvents.stepStarted(a, 2,
                        JsonSerde.mapper().createObjectNode().put("prompt", "a"))),
                Map.entry(b, new JobEvent.JobFailed(Topics.SCHEMA_VERSION, b, 2, now, "step 1 failed: no")),
                Map.entry(a, new JobEvent.JobCompleted(Topics.SCHEMA_VERSION, a, 3, now,
                        JsonSerde.mapper().createObjectNode().put("prompt", "A"), null)));
        for (Map.Entry<String, JobEvent> event : events) {
            TestKafka.send(Topics.JOB_EVENTS, event.getKey(), event.getValue());
            Thread.sleep(250); // a heartbeat or two between events
        }

        List<String> raw = new ArrayList<>();
        List<Frame> frames = CompletableFuture.supplyAsync(() -> framesOf(lines, raw, a, b, 5)).get(30, TimeUnit.SECONDS);
        response.body().close();

        assertThat(raw).contains(": keep-alive");
        assertThat(frames.stream().filter(f -> f.data().path("job_id").asText().equals(a)).map(Frame::event))
                .containsExactly("job_started", "step_started", "job_completed");
        assertThat(frames.stream().filter(f -> f.data().path("job_id").asText().equals(b)).map(Frame::event))
                .containsExactly("job_started", "job_failed");
        // the per-job stream's JSON: snake_case, with its type and sequence number
        Frame done = frames.stream().filter(f -> f.event().equals("job_completed")).findFirst().orElseThrow();
        assertThat(done.data().path("type").asText()).isEqualTo("job_completed");
        assertThat(done.data().path("seq").asLong()).isEqualTo(3);
        assertThat(done.data().at("/output/prompt").asText()).isEqualTo("A");
        assertThat(frames.stream().filter(f -> f.event().equals("step_started")).findFirst().orElseThrow().data()
                .path("step_index").isInt()).isTrue();
        assertThat(raw).noneMatch(line -> line.startsWith("id:"));
    }

    @Test
    void asksForTheApiKeyLikeEveryEndpoint() throws Exception {
        HttpResponse<Stream<String>> missing = open("/api/v1/jobs/events", null, "text/event-stream");
        HttpResponse<Stream<String>> wrong = open("/api/v1/jobs/events", "not-a-key", "text/event-stream");

        assertThat(missing.statusCode()).isEqualTo(401);
        assertThat(missing.body().toList()).anyMatch(line -> line.contains("Authorization: Bearer"));
        assertThat(wrong.statusCode()).isEqualTo(401);
        wrong.body().close();
    }

    @Test
    void theEventsSegmentIsTheStreamNotAJobId() throws Exception {
        // even a client that asks for JSON gets the stream, not "'events' is not a job id"
        HttpResponse<Stream<String>> stream = open("/api/v1/jobs/events", KEY, "application/json");
        assertThat(stream.statusCode()).isEqualTo(200);
        assertThat(stream.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        assertThat(stream.body().iterator().next()).startsWith(":");
        stream.body().close();

        HttpResponse<Stream<String>> job = open("/api/v1/jobs/" + UUID.randomUUID(), KEY, "application/json");
        assertThat(job.statusCode()).isEqualTo(404);
        job.body().close();
    }

    private HttpResponse<Stream<String>> open(String path, String key, String accept) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Accept", accept);
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        return client.sendAsync(request.build(), HttpResponse.BodyHandlers.ofLines()).get(10, TimeUnit.SECONDS);
    }

    /**
     * Reads frames as an SSE client does (comment lines skipped, a blank line ends a frame) until {@code count} frames
     * of the two jobs have come; every line read goes to {@code raw}. Frames of other tests' jobs are left out.
     */
    private static List<Frame> framesOf(Iterator<String> lines, List<String> raw, String a, String b, int count) {
        List<Frame> frames = new ArrayList<>();
        String event = null;
        StringBuilder data = new StringBuilder();
        while (frames.size() < count && lines.hasNext()) {
            String line = lines.next();
            raw.add(line);
            if (line.startsWith(":")) {
                continue;
            }
            if (line.startsWith("event: ")) {
                event = line.substring(7);
            } else if (line.startsWith("data: ")) {
                data.append(line.substring(6));
            } else if (line.isEmpty() && !data.isEmpty()) {
                JsonNode json = parse(data.toString());
                String job = json.path("job_id").asText();
                if (job.equals(a) || job.equals(b)) {
                    frames.add(new Frame(event, json));
                }
                event = null;
                data.setLength(0);
            }
        }
        return frames;
    }

    private static JsonNode parse(String json) {
        try {
            return JsonSerde.mapper().readTree(json);
        } catch (Exception e) {
            throw new AssertionError("a data line is not JSON: " + json, e);
        }
    }
}
