package ai.mule.gateway.web;

import static org.assertj.core.api.Assertions.assertThat;

import ai.mule.gateway.IntegrationTestBase;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Requests Tomcat refuses before any filter or handler runs, sent as raw bytes so no client tidies them up first: each
 * is answered in JSON that says what was wrong, in the shape of its path's API, never Tomcat's HTML page (which said
 * only "Bad Request"), and none writes anything.
 */
class TomcatRefusalsIT extends IntegrationTestBase {

    private static final String LONG = "k".repeat(20_000);

    /** The error body a refusal must have: the one its path's handlers give their errors. */
    private enum Shape { OPENAI, PROBLEM }

    static Stream<Arguments> refusals() {
        return Stream.of(
                Arguments.of("GET /api/v1/jobs HTTP/1.1\r\nIdempotency-Key: " + LONG + "\r\n", 400,
                        "request_header_too_large", "server.max-http-request-header-size", Shape.PROBLEM),
                Arguments.of("GET /v1/models HTTP/1.1\r\nX-Long: " + LONG + "\r\n", 400,
                        "request_header_too_large", "send a shorter URL or shorter headers", Shape.OPENAI),
                Arguments.of("GET /api/v1/jobs?search=" + LONG + " HTTP/1.1\r\n", 400,
                        "request_header_too_large", "a long URL", Shape.PROBLEM),
                Arguments.of("GET /api/v1/jobs/%00 HTTP/1.1\r\n", 400, "invalid_url", "an encoded NUL (%00)",
                        Shape.PROBLEM),
                Arguments.of("GET /api/v1/jobs/a%2Fb HTTP/1.1\r\n", 400, "invalid_url", "slash (%2F)", Shape.PROBLEM),
                Arguments.of("GET /v1/models/a%5Cb HTTP/1.1\r\n", 400, "invalid_url", "backslash (%5C)", Shape.OPENAI),
                Arguments.of("GET /api/v1/jobs/%zz HTTP/1.1\r\n", 400, "invalid_url", "sent as %25", Shape.PROBLEM),
                Arguments.of("GET /api/v1/jobs{} HTTP/1.1\r\n", 400, "invalid_url", "must be percent-encoded",
                        Shape.PROBLEM),
                // a request target Tomcat cannot read has no path, so no API to take the shape of: a problem detail
                Arguments.of("GET /v1/models|x HTTP/1.1\r\n", 400, "invalid_url", "must be percent-encoded",
                        Shape.PROBLEM),
                Arguments.of("GET /v1/models HTTP/1.1\r\nBad Header: y\r\n", 400, "invalid_request",
                        "not valid HTTP/1.1", Shape.OPENAI),
                // Mule's own endpoint under /v1 answers problem details, as its handler's errors are
                Arguments.of("POST /v1/wasm/execute HTTP/1.1\r\nX-Long: " + LONG + "\r\n", 400,
                        "request_header_too_large", "send a shorter URL or shorter headers", Shape.PROBLEM),
                Arguments.of("GET /api/v1/jobs HTTP/9.9\r\n", 505, "http_version_not_supported", "HTTP/1.1",
                        Shape.PROBLEM));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void answersInTheShapeOfThePathsApiWithWhatWasWrong(String head, int status, String code, String says, Shape shape)
            throws IOException {
        Answer answer = send(head + "Host: 127.0.0.1\r\nConnection: close\r\n\r\n");

        assertThat(answer.status()).as(answer.raw()).isEqualTo(status);
        JsonNode body = new ObjectMapper().readTree(answer.body());
        if (shape == Shape.OPENAI) {
            assertThat(answer.contentType()).startsWith("application/json");
            assertThat(body.at("/error/code").asText()).isEqualTo(code);
            assertThat(body.at("/error/type").asText())
                    .isEqualTo(status >= 500 ? "server_error" : "invalid_request_error");
            assertThat(body.at("/error/message").asText()).contains(says);
        } else {
            assertThat(answer.contentType()).startsWith("application/problem+json");
            assertThat(body.path("status").asInt()).isEqualTo(status);
            assertThat(body.path("code").asText()).isEqualTo(code);
            assertThat(body.path("detail").asText()).contains(says);
        }
    }

    @Test
    void aJobWhoseHeadersAreTooLargeIsNotCreated() throws IOException {
        String workflowId = api.workflow().get("id").asText();
        long before = jobs();
        String json = "{\"workflow_id\": \"" + workflowId + "\", \"input_data\": {}}";

        Answer answer = send("POST /api/v1/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                + "Content-Type: application/json\r\nIdempotency-Key: " + LONG + "\r\nContent-Length: "
                + json.length() + "\r\n\r\n" + json);

        assertThat(answer.status()).as(answer.raw()).isEqualTo(400);
        assertThat(answer.body()).contains("request_header_too_large");
        assertThat(jobs()).isEqualTo(before);
    }

    @Test
    void errorsTheHandlersWriteKeepTheirOwnBodies() throws IOException {
        // HTTP/1.0, so that the handler's body comes whole rather than chunked
        Answer unknown = send("GET /api/v1/no-such-thing HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");

        assertThat(unknown.status()).isEqualTo(404);
        assertThat(new ObjectMapper().readTree(unknown.body()).path("detail").asText())
                .isEqualTo("no endpoint GET /api/v1/no-such-thing; the API lives under /api/v1 and /v1");
    }

    private long jobs() {
        return jdbc.sql("SELECT count(*) FROM jobs").query(Long.class).single();
    }

    private Answer send(String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream read = new ByteArrayOutputStream();
            in.transferTo(read);
            return Answer.of(read.toString(StandardCharsets.UTF_8));
        }
    }

    /** An HTTP/1.1 answer as read off the socket (the gateway closes the connection after each of these). */
    private record Answer(String raw, int status, String contentType, String body) {

        static Answer of(String raw) {
            int split = raw.indexOf("\r\n\r\n");
            String head = split < 0 ? raw : raw.substring(0, split);
            String body = split < 0 ? "" : raw.substring(split + 4);
            int status = Integer.parseInt(head.substring(9, 12));
            String contentType = head.lines().filter(line -> line.regionMatches(true, 0, "Content-Type:", 0, 13))
                    .map(line -> line.substring(13).trim()).findFirst().orElse("");
            return new Answer(raw, status, contentType, body);
        }
    }
}
