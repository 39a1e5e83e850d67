package ai.mule.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;

/** A small client of the gateway's HTTP API, as a user's script would call it. */
public final class MuleClient {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String baseUrl;
    /**
     * HTTP/1.1, as a user's script or Node's {@code fetch} speaks to the gateway (the JDK's default first offers an
     * upgrade to HTTP/2, which the gateway ignores). Its work runs on the client's own selector thread, as Node's
     * {@code fetch} runs on its event loop: by default the JDK hands each answer to a pool thread, which hands it to
     * the caller, and every hand-off is a thread waking on this 2-core VM. The bench measures Mule through this client
     * and the peers through Node's {@code fetch}; with the pool, a lone client's sync calls to one stack took 2.1 ms
     * longer at p50 than through {@code fetch}, and 0.2 ms without it (six rotated rounds, README "Benchmark").
     * Nothing the client runs there blocks: each answer's body is collected as bytes, and parsed by the caller.
     */
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .executor(Runnable::run).connectTimeout(Duration.ofSeconds(5)).build();

    public MuleClient(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    /** An HTTP answer: its status and its body parsed as JSON (or a text node when it is not JSON). */
    public record Answer(int status, JsonNode body) {
        public JsonNode data() {
            return body.path("data");
        }
    }

    public Answer get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    public Answer delete(String path) {
        return send(HttpRequest.newBuilder(uri(path)).DELETE());
    }

    public Answer post(String path, Object body) {
        return postRaw(path, "application/json", write(body));
    }

    public Answer postRaw(String path, String contentType, byte[] body) {
        return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    /** Mule v2's module upload: multipart {@code name}, {@code description}, {@code config}, {@code module_data}. */
    public Answer uploadModule(String name, String description, String configJson, byte[] wasm) {
        String boundary = "mule-" + UUID.randomUUID();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        field(body, boundary, "name", name);
        field(body, boundary, "description", description);
        field(body, boundary, "config", configJson);
        write(body, "--" + boundary + "\r\nContent-Disposition: form-data; name=\"module_data\"; filename=\"" + name
                + ".wasm\"\r\nContent-Type: application/wasm\r\n\r\n");
        body.writeBytes(wasm);
        write(body, "\r\n--" + boundary + "--\r\n");
        return postRaw("/api/v1/wasm-modules", "multipart/form-data; boundary=" + boundary, body.toByteArray());
    }

    /** The id of the first item named {@code name} in a {@code {"data": [...]}} list, if any. */
    public Optional<String> findIdByName(String listPath, String name) {
        for (JsonNode item : get(listPath + (listPath.contains("?") ? "&" : "?") + "page_size=100").data()) {
            if (name.equals(item.path("name").asText())) {
                return Optional.of(item.path("id").asText());
            }
        }
        return Optional.empty();
    }

    /** Creates a job for this workflow and returns its id. */
    public String submitJob(String workflowId, String prompt) {
        ObjectNode body = JSON.createObjectNode().put("workflow_id", workflowId);
        body.putObject("input_data").put("prompt", prompt);
        Answer answer = post("/api/v1/jobs", body);
        expect(answer, 201, "create a job");
        return answer.data().path("id").asText();
    }

    /** Calls {@code /v1/chat/completions} with one user message. */
    public Answer chat(String model, String content) {
        ObjectNode body = JSON.createObjectNode().put("model", model);
        body.putArray("messages").addObject().put("role", "user").put("content", content);
        return post("/v1/chat/completions", body);
    }

    public static Answer expect(Answer answer, int status, String what) {
        if (answer.status() != status) {
            throw new IllegalStateException("cannot " + what + ": HTTP " + answer.status() + " " + answer.body());
        }
        return answer;
    }

    public static ObjectNode object() {
        return JSON.createObjectNode();
    }

    private Answer send(HttpRequest.Builder request) {
        try {
            HttpResponse<byte[]> response = http.send(request.timeout(Duration.ofMinutes(6)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            return new Answer(response.statusCode(), parse(response.body()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static JsonNode parse(byte[] body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            return JSON.getNodeFactory().textNode(new String(body, StandardCharsets.UTF_8));
        }
    }

    private URI uri(String path) {
        return URI.create(baseUrl + path);
    }

    private static byte[] write(Object body) {
        try {
            return JSON.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void field(ByteArrayOutputStream body, String boundary, String name, String value) {
        write(body, "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value + "\r\n");
    }

    private static void write(ByteArrayOutputStream body, String text) {
        body.writeBytes(text.getBytes(StandardCharsets.UTF_8));
    }
}
