package ai.mule.gateway.tracing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.mule.gateway.IntegrationTestBase;
import ai.mule.schemas.Topics;
import ai.mule.testkit.TestKafka;
import ai.mule.tracing.Tracing;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

/**
 * The job's trace from the HTTP request to the Kafka record: the server span, its context stored with the outbox
 * row, and the record the relay publishes carrying it (real PostgreSQL and Kafka, an in-memory span exporter).
 */
@Import(GatewayTracingIT.InMemoryTracing.class)
class GatewayTracingIT extends IntegrationTestBase {

    static final InMemorySpanExporter SPANS = InMemorySpanExporter.create();
    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String CALLER_SPAN = "00f067aa0ba902b7";

    @TestConfiguration
    static class InMemoryTracing {
        @Bean
        Tracing tracing() {
            return Tracing.of(OpenTelemetrySdk.builder().setTracerProvider(SdkTracerProvider.builder()
                    .addSpanProcessor(SimpleSpanProcessor.create(SPANS)).build()).build());
        }
    }

    @Test
    void aJobCreatedOverHttpContinuesTheCallersTraceAndItsKafkaRequestCarriesTheServerSpan() throws Exception {
        String moduleId = api.module("upper.wasm", "{}").get("id").asText();

        HttpResponse<String> accepted = postJob(moduleId, "00-" + TRACE + "-" + CALLER_SPAN + "-01", "mule=1");

        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(201);
        String jobId = new ObjectMapper().readTree(accepted.body()).at("/data/id").asText();
        SpanData server = serverSpan();
        assertThat(server.getTraceId()).isEqualTo(TRACE);
        assertThat(server.getParentSpanId()).isEqualTo(CALLER_SPAN);
        assertThat(requestHeaders(jobId, "traceparent")).containsExactly("00-" + TRACE + "-" + server.getSpanId() + "-01");
        assertThat(requestHeaders(jobId, "tracestate")).containsExactly("mule=1");
    }

    @Test
    void aMalformedOrHostileTraceContextIsIgnoredTheJobIsAcceptedAndStartsItsOwnTrace() throws Exception {
        String moduleId = api.module("upper.wasm", "{}").get("id").asText();

        HttpResponse<String> accepted = postJob(moduleId, "00-" + "z".repeat(32) + "-" + CALLER_SPAN + "-01",
                "a=" + "x".repeat(4_000) + ",b=\u00e9\u00e9");

        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(201);
        String jobId = new ObjectMapper().readTree(accepted.body()).at("/data/id").asText();
        SpanData server = serverSpan();
        assertThat(server.getParentSpanContext().isValid()).isFalse();
        assertThat(requestHeaders(jobId, "traceparent")).singleElement().asString()
                .startsWith("00-" + server.getTraceId() + "-" + server.getSpanId() + "-");
        assertThat(requestHeaders(jobId, "tracestate")).isEmpty();
    }

    private HttpResponse<String> postJob(String moduleId, String traceparent, String tracestate) throws Exception {
        SPANS.reset();
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                                + "/api/v1/jobs"))
                        .header("Content-Type", "application/json")
                        .header("traceparent", traceparent)
                        .header("tracestate", tracestate)
                        .POST(HttpRequest.BodyPublishers.ofString("{\"workflow_id\": \"" + moduleId + "\"}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static SpanData serverSpan() {
        await().atMost(Duration.ofSeconds(5)).until(() -> SPANS.getFinishedSpanItems().stream()
                .anyMatch(s -> s.getName().equals("POST /api/v1/jobs")));
        return SPANS.getFinishedSpanItems().stream().filter(s -> s.getName().equals("POST /api/v1/jobs"))
                .findFirst().orElseThrow();
    }

    /** The values of one header of the job's record on mule.jobs.requests. */
    private static List<String> requestHeaders(String jobId, String header) {
        return TestKafka.headerValues(Topics.JOB_REQUESTS.name(), jobId, header, Duration.ofSeconds(15));
    }
}
