package ai.mule.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.mule.launcher.OtlpReceiver.ReceivedSpan;
import ai.mule.localkafka.FreePorts;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * One job is one trace, for real: the launcher's stack (KRaft broker, PostgreSQL, the four service jars as their
 * own processes) exports spans over OTLP/HTTP to a receiver this test runs, switched on by the standard OTEL_*
 * variables only. A two-step job created over HTTP with a caller's traceparent must come back as one trace whose
 * spans, from three services, link parent to child hop by hop.
 */
class TracingIT {

    private static final String TRACE = "5c0b7f3e2a9d4c1b8e6f0a2d4c6e8f10";
    private static final String CALLER_SPAN = "a1b2c3d4e5f60718";

    @Test
    void aTwoStepJobIsOneTraceFromTheHttpRequestThroughTheOrchestratorAndTheRunnerAndBack() throws Exception {
        Path repo = Path.of(System.getProperty("mule.repo", "../..")).toAbsolutePath().normalize();
        StackConfig config = new StackConfig(repo, Files.createTempDirectory("mule-tracing"), FreePorts.next(),
                FreePorts.next(), FreePorts.next(), FreePorts.next(), 3);
        try (OtlpReceiver receiver = new OtlpReceiver();
             LocalStack stack = LocalStack.start(config, line -> System.out.println("stack: " + line), Map.of(
                     "OTEL_TRACES_EXPORTER", "otlp",
                     "OTEL_EXPORTER_OTLP_ENDPOINT", receiver.endpoint(),
                     "OTEL_BSP_SCHEDULE_DELAY", "200"))) {
            MuleClient client = new MuleClient(config.gatewayUrl());
            String workflowId = new ExampleWorkflows(client, repo).ensure("traced", "upper, reverse",
                    List.of("upper", "reverse"));

            // when a caller in trace TRACE creates a job
            HttpResponse<String> created = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                                    URI.create(config.gatewayUrl() + "/api/v1/jobs"))
                            .header("Content-Type", "application/json")
                            .header("traceparent", "00-" + TRACE + "-" + CALLER_SPAN + "-01")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"workflow_id\": \"" + workflowId
                                    + "\", \"input_data\": {\"prompt\": \"trace me\"}}"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            String jobId = new ObjectMapper().readTree(created.body()).at("/data/id").asText();
            JsonNode job = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                    .until(() -> client.get("/api/v1/jobs/" + jobId).data(),
                            j -> List.of("completed", "failed", "cancelled").contains(j.path("status").asText()));
            assertThat(job.path("status").asText()).isEqualTo("completed");

            // then its spans arrive, all in that trace: request, start, two runs (the command of the first step
            // carries the second: see JobState.following) and their one result (each service exports on its own
            // schedule, and the trace holds other spans too, the status writer's: wait for these five)
            List<ReceivedSpan> trace = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .until(() -> receiver.spans().stream().filter(s -> s.traceId().equals(TRACE)).toList(),
                            spans -> named(spans, "run step wasm_module", "mule-step-runner-wasm").size() >= 2
                                    && !named(spans, "orchestrator StepFinished", "mule-orchestrator").isEmpty()
                                    && !named(spans, "orchestrator StartJob", "mule-orchestrator").isEmpty()
                                    && !named(spans, "POST /api/v1/jobs", "mule-gateway").isEmpty());
            trace.forEach(span -> System.out.println("span: " + span));
            ReceivedSpan request = only(trace, "POST /api/v1/jobs", "mule-gateway");
            ReceivedSpan start = only(trace, "orchestrator StartJob", "mule-orchestrator");
            List<ReceivedSpan> runs = named(trace, "run step wasm_module", "mule-step-runner-wasm");
            assertThat(runs).hasSize(2);
            // and each hop is the child of the one before it
            assertThat(request.parentSpanId()).isEqualTo(CALLER_SPAN);
            assertThat(start.parentSpanId()).isEqualTo(request.spanId());
            ReceivedSpan firstRun = childOf(runs, start);
            ReceivedSpan secondRun = childOf(runs, firstRun);
            ReceivedSpan result = only(trace, "orchestrator StepFinished", "mule-orchestrator");
            assertThat(result.parentSpanId()).isEqualTo(secondRun.spanId());
        }
    }

    private static ReceivedSpan only(List<ReceivedSpan> spans, String name, String service) {
        List<ReceivedSpan> named = named(spans, name, service);
        assertThat(named).as(name + " in " + spans).hasSize(1);
        return named.get(0);
    }

    private static List<ReceivedSpan> named(List<ReceivedSpan> spans, String name, String service) {
        return spans.stream().filter(s -> s.name().equals(name) && s.service().equals(service)).toList();
    }

    private static ReceivedSpan childOf(List<ReceivedSpan> candidates, ReceivedSpan parent) {
        Optional<ReceivedSpan> child = candidates.stream().filter(s -> s.parentSpanId().equals(parent.spanId()))
                .findFirst();
        assertThat(child).as("a child of " + parent + " among " + candidates).isPresent();
        return child.get();
    }
}
