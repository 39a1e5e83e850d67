package ai.mule.runner.agent.tools;

import ai.mule.netgate.GateRefusal;
import ai.mule.netgate.GatedRequest;
import ai.mule.netgate.GatedResponse;
import ai.mule.netgate.NetworkGate;
import ai.mule.schemas.AgentTool;
import ai.mule.schemas.JsonSerde;
import ai.mule.schemas.StepCaller;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the tools an agent step's snapshot gives it. The built-ins: an HTTP fetch limited to the tool's host
 * allowlist, through the {@link NetworkGate} (internal addresses only when the operator lists them too); calling a workflow or another agent, and running a WASM module, all through the gateway's HTTP API (so a
 * module runs on the WASM runner, sandboxed, and every call is authorised and recorded as the API records it).
 *
 * <p>A tool that fails answers the model with the reason ({@code error: ...}) rather than failing the step: the
 * model can try something else, and the {@code max_tool_calls} cap bounds how long it may.
 *
 * <p>Every call to the gateway says which step makes it ({@link StepCaller}): how deep the job it may start would be
 * (the running job's depth + 1), so that a workflow whose agent calls that workflow again (directly or through
 * others) is refused at {@code mule.limits.max-call-depth} instead of starting jobs without end, and the running job,
 * under whose first job the gateway counts it ({@code mule.limits.max-descendant-jobs}).
 */
public class AgentToolbox {

    private static final Logger log = LoggerFactory.getLogger(AgentToolbox.class);
    /** Tool results go back into the model's context: keep them to a size a context can hold. */
    static final int MAX_RESULT_CHARS = 32_000;

    private final HttpClient http;
    private final NetworkGate web;
    private final String gatewayUrl;
    private final String gatewayApiKey;
    private final Duration toolTimeout;

    /**
     * @param gatewayUrl    where the gateway's API is, e.g. {@code http://127.0.0.1:8080}
     * @param gatewayApiKey a Mule API key when the gateway requires one, else null
     * @param toolTimeout   the longest one tool call may take (a step's remaining time can shorten it)
     * @param internalHosts loopback and private hosts ({@code host} or {@code host:port}) an http_fetch tool may
     *                      reach when its own allowed_hosts names them too; the operator's list, never the agent's
     */
    public AgentToolbox(String gatewayUrl, String gatewayApiKey, Duration toolTimeout, List<String> internalHosts) {
        // the gateway is the runner's own service: its URL is the operator's, not a user's, so no gate
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NEVER).build();
        this.web = new NetworkGate(NetworkGate.InternalAccess.listed(internalHosts), "internal hosts need an entry "
                + "in the tool's allowed_hosts and in the runner's mule.runner.agent.internal-hosts "
                + "(MULE_RUNNER_AGENT_INTERNAL_HOSTS)");
        this.gatewayUrl = gatewayUrl.endsWith("/") ? gatewayUrl.substring(0, gatewayUrl.length() - 1) : gatewayUrl;
        this.gatewayApiKey = gatewayApiKey == null || gatewayApiKey.isBlank() ? null : gatewayApiKey;
        this.toolTimeout = toolTimeout;
    }

    /** What the model is told about the tools. */
    public List<ToolSpecification> specifications(List<AgentTool> tools) {
        List<ToolSpecification> specs = new ArrayList<>(tools.size());
        for (AgentTool tool : tools) {
            specs.add(ToolSpecification.builder().name(tool.name()).description(tool.description())
                    .parameters(ToolSchemas.object(tool.inputSchema())).build());
        }
        return specs;
    }

    /**
     * Whether the tool the model asks for waits for other steps of Mule: a workflow's job or a module's run, which
     * may need the very runner the calling step runs on.
     */
    public boolean waitsForOtherSteps(List<AgentTool> tools, ToolExecutionRequest request) {
        return named(tools, request)
                .map(t -> t.kind() == AgentTool.Kind.CALL_WORKFLOW || t.kind() == AgentTool.Kind.WASM_MODULE)
                .orElse(false);
    }

    private static Optional<AgentTool> named(List<AgentTool> tools, ToolExecutionRequest request) {
        return tools.stream().filter(t -> t.name().equals(request.name())).findFirst();
    }

    /**
     * Runs one tool call the model asked for and answers its result as text for the model.
     *
     * @param caller the running step ({@link StepCaller#of}), which the gateway's calls name
     */
    public String run(List<AgentTool> tools, ToolExecutionRequest request, Duration budget, StepCaller caller) {
        AgentTool tool = named(tools, request).orElse(null);
        if (tool == null) {
            return "error: there is no tool named '" + request.name() + "'";
        }
        Duration timeout = budget.compareTo(toolTimeout) < 0 ? budget : toolTimeout;
        try {
            ObjectNode arguments = arguments(request.arguments());
            String result = switch (tool.kind()) {
                case HTTP_FETCH -> fetch(tool, arguments, timeout);
                case CALL_WORKFLOW -> chat("workflow/" + tool.config().path("workflow").asText(), arguments, timeout,
                        caller);
                case CALL_AGENT -> chat("agent/" + tool.config().path("agent").asText(), arguments, timeout,
                        caller);
                case WASM_MODULE -> wasm(tool.config().path("module_id").asText(), arguments, timeout, caller);
            };
            return result.length() <= MAX_RESULT_CHARS ? result : result.substring(0, MAX_RESULT_CHARS) + "\n[truncated]";
        } catch (ToolFailure e) {
            log.info("tool {} failed: {}", tool.name(), e.getMessage());
            return "error: " + e.getMessage();
        }
    }

    /**
     * GET through the network gate: the host must be on the tool's allowed_hosts ({@code host} or
     * {@code host:port}); an internal address also on the operator's list; no redirect is followed; at most
     * {@link #MAX_RESULT_CHARS} bytes of the body are read.
     */
    private String fetch(AgentTool tool, ObjectNode arguments, Duration timeout) {
        String url = arguments.path("url").asText("");
        URI uri;
        NetworkGate.HostPort where;
        try {
            uri = new URI(url.strip());
            where = NetworkGate.HostPort.of(uri);
        } catch (URISyntaxException e) {
            throw new ToolFailure("'" + url + "' is not a URL");
        } catch (GateRefusal e) {
            throw new ToolFailure(e.getMessage());
        }
        boolean allowed = false;
        for (JsonNode entry : tool.config().path("allowed_hosts")) {
            String allowedHost = entry.asText().strip().toLowerCase(Locale.ROOT);
            allowed |= allowedHost.equals(where.host()) || allowedHost.equals(where.host() + ":" + where.port());
        }
        if (!allowed) {
            throw new ToolFailure("host " + where.host() + " is not on this tool's allowlist "
                    + tool.config().path("allowed_hosts"));
        }
        try {
            GatedResponse response = web.send(GatedRequest.get(uri, timeout, MAX_RESULT_CHARS));
            return "HTTP " + response.status() + "\n" + response.text() + (response.truncated() ? "\n[truncated]" : "");
        } catch (GateRefusal e) {
            throw new ToolFailure(e.getMessage());
        } catch (SocketTimeoutException e) {
            throw new ToolFailure(url + " did not answer within " + timeout.toMillis() + " ms");
        } catch (InterruptedIOException e) {
            throw new ToolFailure("interrupted"); // the thread stays interrupted: the step sees its cancel or timeout
        } catch (IOException e) {
            throw new ToolFailure("cannot reach " + url + ": " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new ToolFailure("cannot fetch " + url + ": " + e.getMessage());
        }
    }

    /** A workflow or an agent through the gateway's OpenAI-compatible API: its answer's content. */
    private String chat(String model, ObjectNode arguments, Duration timeout, StepCaller caller) {
        ObjectNode body = JsonSerde.mapper().createObjectNode().put("model", model);
        body.putArray("messages").addObject().put("role", "user").put("content", prompt(arguments));
        JsonNode answer = gateway("/v1/chat/completions", body, timeout, caller);
        JsonNode content = answer.at("/choices/0/message/content");
        if (!content.isTextual()) {
            throw new ToolFailure(model + " answered no content: " + answer.path("error").path("message").asText(""));
        }
        return content.asText();
    }

    /** A WASM module run on the WASM runner through the gateway ({@code POST /api/v1/wasm-modules/{id}/execute}). */
    private String wasm(String moduleId, ObjectNode arguments, Duration timeout, StepCaller caller) {
        ObjectNode body = JsonSerde.mapper().createObjectNode();
        body.set("input", arguments);
        JsonNode run = gateway("/api/v1/wasm-modules/" + moduleId + "/execute", body, timeout, caller).path("data");
        if (!run.path("success").asBoolean(false)) {
            throw new ToolFailure("the module failed: " + run.path("error").asText("no reason given"));
        }
        JsonNode output = run.path("output");
        return output.isTextual() ? output.asText() : output.toString();
    }

    /** A call of the gateway's API made by the step {@code caller}: a job it starts is one level deeper. */
    private JsonNode gateway(String path, JsonNode body, Duration timeout, StepCaller caller) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(gatewayUrl + path)).timeout(timeout)
                .header("Content-Type", "application/json")
                .headers(caller.headers())
                .POST(HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8));
        if (gatewayApiKey != null) {
            request.header("Authorization", "Bearer " + gatewayApiKey);
        }
        HttpResponse<String> response = send(request.build(), gatewayUrl + path);
        JsonNode json;
        try {
            json = JsonSerde.mapper().readTree(response.body());
        } catch (IOException e) {
            throw new ToolFailure("the gateway answered HTTP " + response.statusCode() + " with no JSON");
        }
        if (response.statusCode() >= 400) {
            String message = json.path("error").path("message").asText(json.path("detail").asText(""));
            throw new ToolFailure("the gateway answered HTTP " + response.statusCode() + ": " + message);
        }
        return json;
    }

    private HttpResponse<String> send(HttpRequest request, String what) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (java.net.http.HttpTimeoutException e) {
            throw new ToolFailure(what + " did not answer within " + request.timeout().map(Duration::toMillis).orElse(0L)
                    + " ms");
        } catch (IOException e) {
            throw new ToolFailure("cannot reach " + what + ": " + e.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ToolFailure("interrupted");
        }
    }

    private static String prompt(ObjectNode arguments) {
        JsonNode prompt = arguments.get("prompt");
        return prompt != null && prompt.isTextual() ? prompt.asText() : arguments.toString();
    }

    private static ObjectNode arguments(String text) {
        if (text == null || text.isBlank()) {
            return JsonSerde.mapper().createObjectNode();
        }
        try {
            JsonNode node = JsonSerde.mapper().readTree(text);
            if (node instanceof ObjectNode object) {
                return object;
            }
        } catch (IOException e) {
            // answered below
        }
        throw new ToolFailure("the arguments must be a JSON object, got: " + text);
    }
}
