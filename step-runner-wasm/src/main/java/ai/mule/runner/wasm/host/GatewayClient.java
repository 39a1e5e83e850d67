package ai.mule.runner.wasm.host;

import ai.mule.schemas.JsonSerde;
import ai.mule.schemas.StepCaller;
import com.dylibso.chicory.runtime.ChicoryInterruptedException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;

/**
 * What modules reach through the gateway's own HTTP API, never the database or Kafka directly: a job
 * started this way is accepted, recorded and run like any other (and untrusted code keeps to the API's
 * validation). Thread-safe; one per runner.
 */
public final class GatewayClient {

    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
    // agents answer synchronously; they may take as long as the gateway lets them
    private static final Duration AGENT_TIMEOUT = Duration.ofMinutes(6);

    private final URI base;
    private final HttpClient http;
    private final String apiKey;

    /** @param apiKey sent as {@code Authorization: Bearer} when the gateway asks for API keys; null or blank: none */
    public GatewayClient(URI base, HttpClient http, String apiKey) {
        String text = base.toString();
        this.base = URI.create(text.endsWith("/") ? text : text + "/");
        this.http = http;
        this.apiKey = apiKey == null || apiKey.isBlank() ? null : apiKey.strip();
    }

    /**
     * Starts a workflow (by id or name) with these params as its input: {@code {job_id, status}}. The call names the
     * running step ({@link StepCaller}): the job is one call deeper than the step's, so a module that starts its own
     * workflow is refused at {@code mule.limits.max-call-depth} instead of starting jobs without end, and it is
     * counted under the step's first job, so a module that starts jobs in a loop is refused at
     * {@code mule.limits.max-descendant-jobs}.
     */
    public ObjectNode startWorkflow(String idOrName, JsonNode params, StepCaller caller) {
        String workflowId = isUuid(idOrName) ? idOrName : workflowIdNamed(idOrName);
        ObjectNode body = JsonSerde.mapper().createObjectNode();
        body.put("workflow_id", workflowId);
        body.set("input_data", params);
        JsonNode job = send(post("api/v1/jobs", body, CALL_TIMEOUT, caller)).path("data");
        ObjectNode result = JsonSerde.mapper().createObjectNode();
        result.put("job_id", job.path("id").asText());
        result.put("status", job.path("status").asText());
        result.put("message", "Workflow job submitted successfully");
        return result;
    }

    /** Asks an agent (by id or name): its chat.completion. The prompt is {@code params.prompt}, or params as JSON. */
    public JsonNode askAgent(String idOrName, JsonNode params, StepCaller caller) {
        String name = isUuid(idOrName)
                ? send(get("api/v1/agents/" + idOrName)).path("data").path("name").asText()
                : idOrName;
        JsonNode prompt = params.get("prompt");
        ObjectNode body = JsonSerde.mapper().createObjectNode();
        body.put("model", "agent/" + name);
        ObjectNode message = body.putArray("messages").addObject();
        message.put("role", "user");
        message.put("content", prompt != null && prompt.isTextual() ? prompt.asText() : params.toString());
        return send(post("v1/chat/completions", body, AGENT_TIMEOUT, caller));
    }

    /** A job's {@code {status, output}} (the output is null until it completes). */
    public ObjectNode job(String jobId) {
        if (!isUuid(jobId)) {
            throw new GatewayException("'" + jobId + "' is not a job id");
        }
        JsonNode job = send(get("api/v1/jobs/" + jobId)).path("data");
        ObjectNode result = JsonSerde.mapper().createObjectNode();
        result.put("status", job.path("status").asText());
        result.set("output", job.get("output_data"));
        return result;
    }

    private String workflowIdNamed(String name) {
        for (int page = 1; page <= 1_000; page++) {
            JsonNode list = send(get("api/v1/workflows?page_size=100&page=" + page));
            for (JsonNode workflow : list.path("data")) {
                if (workflow.path("name").asText().equalsIgnoreCase(name)) {
                    return workflow.path("id").asText();
                }
            }
            if (page >= list.path("total_pages").asInt(1)) {
                break;
            }
        }
        throw new GatewayException("no workflow named '" + URLEncoder.encode(name, StandardCharsets.UTF_8) + "'");
    }

    private HttpRequest get(String path) {
        return request(path, CALL_TIMEOUT).GET().build();
    }

    /** A POST from the step {@code caller}: a job it starts is one level deeper. */
    private HttpRequest post(String path, JsonNode body, Duration timeout, StepCaller caller) {
        return request(path, timeout).header("Content-Type", "application/json")
                .headers(caller.headers())
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
    }

    private HttpRequest.Builder request(String path, Duration timeout) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(timeout);
        return apiKey == null ? request : request.header("Authorization", "Bearer " + apiKey);
    }

    private JsonNode send(HttpRequest request) {
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            // the run's timeout or its job's cancel: unwind the module, as Chicory does
            Thread.currentThread().interrupt();
            throw new ChicoryInterruptedException("interrupted while calling the gateway");
        } catch (IOException e) {
            throw new GatewayException("the gateway at " + base + " cannot be reached: " + e);
        }
        JsonNode body;
        try {
            body = JsonSerde.mapper().readTree(response.body());
        } catch (IOException e) {
            throw new GatewayException("the gateway answered " + response.statusCode() + " with a body that is not JSON");
        }
        if (response.statusCode() / 100 != 2) {
            String detail = body.path("detail").asText(body.path("message").asText(body.path("error").path("message")
                    .asText(response.body())));
            throw new GatewayException("the gateway answered " + response.statusCode() + ": " + detail);
        }
        return body;
    }

    private static boolean isUuid(String text) {
        try {
            UUID.fromString(text);
            return text.length() == 36;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** A call the gateway refused or could not answer. */
    public static final class GatewayException extends RuntimeException {
        GatewayException(String message) {
            super(message, null, false, false);
        }
    }
}
