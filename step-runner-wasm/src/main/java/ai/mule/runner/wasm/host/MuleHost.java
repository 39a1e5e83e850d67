package ai.mule.runner.wasm.host;

import ai.mule.netgate.GateRefusal;
import ai.mule.netgate.GatedRequest;
import ai.mule.netgate.GatedResponse;
import ai.mule.runner.runtime.CancelSignal;
import ai.mule.runner.wasm.execution.HostImports;
import ai.mule.schemas.JsonSerde;
import ai.mule.schemas.StepCaller;
import ai.mule.wasm.OfferedImports;
import com.dylibso.chicory.runtime.ChicoryInterruptedException;
import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.ValType;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Mule v2's {@code env} host functions, for one run. Every function is linked, so any Mule v2 module
 * instantiates; a function the step's config does not enable ({@link HostSettings}) answers
 * {@code 0xFFFFFFFE} ("not allowed") and writes why to the module's stderr. The error codes are Mule
 * v2's. Mule v2's shell, git and working-directory functions are not offered: a module importing them
 * cannot be linked (and is refused at upload).
 * <p>
 * State (the last HTTP response, the last operation, the jobs this run started) lives in this object,
 * which serves one run only: concurrent runs share nothing (Mule v2 keyed shared maps by pointer).
 */
public final class MuleHost implements HostImports {

    public static final String MODULE = OfferedImports.ENV;
    /** The functions offered, with their number of i32 parameters; each returns one i32. */
    public static final Map<String, Integer> FUNCTIONS = OfferedImports.ENV_FUNCTIONS;

    static final long NOT_ALLOWED = 0xFFFFFFFEL;
    private static final Duration HTTP_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration JOB_POLL = Duration.ofMillis(100);

    private final HostSettings settings;
    private final GatewayClient gateway;
    private final int maxResponseBytes;
    private final List<String> internalHosts;
    private final StepCaller caller;
    private final CancelSignal step;
    private final Set<String> startedJobs = Collections.synchronizedSet(new HashSet<>());
    private OutputStream stderr;
    private GatedResponse lastResponse;
    private byte[] lastOperationResult;
    private long lastOperationStatus;

    /**
     * @param internalHosts internal hosts the operator lets steps call (still only when a step lists them)
     * @param caller        the running step, which the gateway's calls name ({@link StepCaller})
     * @param step          the running step's signal, through which it gives its place among the runner's
     *                      concurrent steps back while it waits for a job ({@code wait_for_job_and_get_output})
     */
    public MuleHost(HostSettings settings, GatewayClient gateway, int maxResponseBytes, List<String> internalHosts,
                    StepCaller caller, CancelSignal step) {
        this.settings = settings;
        this.gateway = gateway;
        this.maxResponseBytes = maxResponseBytes;
        this.internalHosts = internalHosts;
        this.caller = caller;
        this.step = step;
    }

    @Override
    public List<HostFunction> functions(OutputStream stderr) {
        this.stderr = stderr;
        return List.of(
                function("http_request", 6, (instance, a) -> httpRequest(instance, a, false)),
                function("http_request_with_headers", 8, (instance, a) -> httpRequest(instance, a, true)),
                function("get_last_response_body", 2, this::lastResponseBody),
                function("get_last_response_status", 0, (instance, a) -> lastResponseStatus()),
                function("get_last_response_header", 4, this::lastResponseHeader),
                function("trigger_workflow_or_agent", 6, this::trigger),
                function("get_last_operation_result", 2, this::lastOperationResult),
                function("get_last_operation_status", 0, (instance, a) -> lastOperationStatus),
                function("get_job_output", 4, (instance, a) -> jobOutput(instance, a, false)),
                function("wait_for_job_and_get_output", 4, (instance, a) -> jobOutput(instance, a, true)));
    }

    // ---- HTTP ---------------------------------------------------------------------------------------------

    private long httpRequest(Instance instance, long[] a, boolean withHeaders) {
        String name = withHeaders ? "http_request_with_headers" : "http_request";
        String method = GuestMemory.string(instance, a[0], a[1]);
        if (method == null) {
            return 0xFFFFFFF0L;
        }
        String url = GuestMemory.string(instance, a[2], a[3]);
        if (url == null) {
            return 0xFFFFFFFFL;
        }
        if (!settings.httpEnabled()) {
            return refuse(name, "HTTP is not enabled for this step (set host_functions.http in the module's config)");
        }
        URI uri;
        try {
            uri = new URI(url.strip());
        } catch (URISyntaxException e) {
            return refuse(name, "'" + url + "' is not a URL");
        }
        HttpGate gate = new HttpGate(settings.httpHosts(), internalHosts);
        String refusal = gate.refusal(uri);
        if (refusal != null) {
            return refuse(name, refusal);
        }
        String body = a[5] > 0 ? GuestMemory.string(instance, a[4], a[5]) : "";
        if (body == null) {
            return 0xFFFFFFF1L;
        }
        Map<String, String> headers = new LinkedHashMap<>();
        if (withHeaders && a[7] > 0) {
            String text = GuestMemory.string(instance, a[6], a[7]);
            if (text == null) {
                return 0xFFFFFFF2L;
            }
            JsonNode parsed;
            try {
                parsed = JsonSerde.mapper().readTree(text);
            } catch (JsonProcessingException e) {
                return 0xFFFFFFF3L;
            }
            if (!parsed.isObject()) {
                return 0xFFFFFFF3L;
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = parsed.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> header = it.next();
                headers.put(header.getKey(), header.getValue().asText());
            }
        }
        if (!body.isEmpty() && (method.equalsIgnoreCase("POST") || method.equalsIgnoreCase("PUT"))
                && headers.keySet().stream().noneMatch(h -> h.equalsIgnoreCase("Content-Type"))) {
            headers.put("Content-Type", "application/json");
        }
        GatedResponse response;
        try {
            // the gate checks again, on the address it connects to: the check above only explains a refusal early
            response = gate.send(new GatedRequest(method, uri, headers, body.getBytes(StandardCharsets.UTF_8),
                    HTTP_TIMEOUT, maxResponseBytes));
        } catch (GateRefusal e) {
            return refuse(name, e.getMessage());
        } catch (IllegalArgumentException e) {
            note(name + " refused: " + e.getMessage());
            return 0xFFFFFFFDL;
        } catch (IOException e) {
            if (Thread.currentThread().isInterrupted()) {
                throw interrupted();
            }
            note(name + " " + uri + " failed: " + e);
            return 0xFFFFFFFCL;
        }
        if (response.truncated()) {
            note(name + " " + uri + ": the response body is larger than " + maxResponseBytes + " bytes");
            return 0xFFFFFFFBL;
        }
        lastResponse = response;
        return 0;
    }

    private long lastResponseBody(Instance instance, long[] a) {
        if (lastResponse == null) {
            return 0xFFFFFFF4L;
        }
        return GuestMemory.readBack(instance, lastResponse.body(), a[0], a[1], 0xFFFFFFF5L, 0xFFFFFFF6L);
    }

    private long lastResponseStatus() {
        return lastResponse == null ? 0xFFFFFFF4L : lastResponse.status();
    }

    private long lastResponseHeader(Instance instance, long[] a) {
        String name = GuestMemory.string(instance, a[0], a[1]);
        if (name == null) {
            return 0xFFFFFFF7L;
        }
        if (lastResponse == null) {
            return 0xFFFFFFF4L;
        }
        String value = lastResponse.header(name).orElse("");
        if (value.isEmpty()) {
            return 0;
        }
        return GuestMemory.readBack(instance, value.getBytes(StandardCharsets.UTF_8), a[2], a[3], 0xFFFFFFF5L,
                0xFFFFFFF6L);
    }

    // ---- workflows, agents and jobs, through the gateway --------------------------------------------------

    private long trigger(Instance instance, long[] a) {
        String type = GuestMemory.string(instance, a[0], a[1]);
        if (type == null) {
            return 0xFFFFFFF0L;
        }
        String id = GuestMemory.string(instance, a[2], a[3]);
        if (id == null) {
            return 0xFFFFFFF1L;
        }
        String paramsText = GuestMemory.string(instance, a[4], a[5]);
        if (paramsText == null) {
            return 0xFFFFFFF2L;
        }
        JsonNode params;
        try {
            params = paramsText.isBlank() ? JsonSerde.mapper().createObjectNode() : JsonSerde.mapper().readTree(paramsText);
        } catch (JsonProcessingException e) {
            return 0xFFFFFFF4L;
        }
        if (!params.isObject()) {
            return 0xFFFFFFF4L;
        }
        boolean workflow = type.equalsIgnoreCase("workflow");
        if (!workflow && !type.equalsIgnoreCase("agent")) {
            return 0xFFFFFFF3L;
        }
        if (workflow ? !settings.allowsWorkflow(id) : !settings.allowsAgent(id)) {
            return refuse("trigger_workflow_or_agent", type + " '" + id + "' is not in the step's host_functions."
                    + (workflow ? "workflows" : "agents") + " allowlist");
        }
        try {
            JsonNode result;
            if (workflow) {
                result = gateway.startWorkflow(id, params, caller);
                startedJobs.add(result.path("job_id").asText());
            } else {
                result = gateway.askAgent(id, params, caller);
            }
            lastOperationResult = JsonSerde.mapper().writeValueAsBytes(result);
            lastOperationStatus = 200;
            return 0;
        } catch (GatewayClient.GatewayException | JsonProcessingException e) {
            note("trigger_workflow_or_agent " + type + " '" + id + "' failed: " + e.getMessage());
            lastOperationStatus = 0xFFFFFFFCL;
            return 0xFFFFFFFCL;
        }
    }

    private long lastOperationResult(Instance instance, long[] a) {
        if (lastOperationResult == null) {
            return 0xFFFFFFF4L;
        }
        return GuestMemory.readBack(instance, lastOperationResult, a[0], a[1], 0xFFFFFFF5L, 0xFFFFFFF6L);
    }

    private long jobOutput(Instance instance, long[] a, boolean wait) {
        String name = wait ? "wait_for_job_and_get_output" : "get_job_output";
        String jobId = GuestMemory.string(instance, a[0], a[1]);
        if (jobId == null) {
            return 0xFFFFFFF0L;
        }
        jobId = jobId.strip();
        if (!settings.operationsEnabled()) {
            return refuse(name, "jobs are not enabled for this step (set host_functions.workflows in the module's config)");
        }
        if (!startedJobs.contains(jobId)) {
            return refuse(name, "job '" + jobId + "' was not started by this run; a module may read only the jobs it "
                    + "started with trigger_workflow_or_agent");
        }
        JsonNode job;
        try {
            job = gateway.job(jobId);
            if (wait && !terminal(job.path("status").asText())) {
                // the job's WASM steps may need this very runner: with every place held by a module waiting for
                // them they would never start, so this step gives its place back while it waits (see WorkerPool)
                String waitedFor = jobId;
                job = step.whileWaitingForOtherSteps(() -> untilEnded(waitedFor));
            }
        } catch (GatewayClient.GatewayException e) {
            note(name + " '" + jobId + "' failed: " + e.getMessage());
            return 0xFFFFFFF1L;
        }
        if (wait && job.path("status").asText().equals("failed")) {
            return 0xFFFFFFF6L;
        }
        if (wait && job.path("status").asText().equals("cancelled")) {
            return 0xFFFFFFF7L;
        }
        byte[] data;
        try {
            data = JsonSerde.mapper().writeValueAsBytes(job);
        } catch (JsonProcessingException e) {
            return 0xFFFFFFF2L;
        }
        return GuestMemory.readBack(instance, data, a[2], a[3], 0xFFFFFFF3L, 0xFFFFFFF4L);
    }

    /** The job once it has ended, polled every {@link #JOB_POLL}; the run's timeout or cancel interrupts the wait. */
    private JsonNode untilEnded(String jobId) {
        JsonNode job;
        do {
            try {
                Thread.sleep(JOB_POLL.toMillis());
            } catch (InterruptedException e) {
                throw interrupted();
            }
            job = gateway.job(jobId);
        } while (!terminal(job.path("status").asText()));
        return job;
    }

    private static boolean terminal(String status) {
        return status.equals("completed") || status.equals("failed") || status.equals("cancelled");
    }

    // ---- plumbing -----------------------------------------------------------------------------------------

    private long refuse(String function, String why) {
        note(function + " refused: " + why);
        return NOT_ALLOWED;
    }

    /** A line on the module's stderr, so that the module's author sees why a call failed. */
    private void note(String line) {
        try {
            stderr.write(("mule: " + line + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // a capped stderr throws its own unchecked exception, which ends the run; nothing else can fail here
        }
    }

    private static ChicoryInterruptedException interrupted() {
        // the run's timeout or its job's cancel interrupted the call: unwind the module as Chicory would
        Thread.currentThread().interrupt();
        return new ChicoryInterruptedException("interrupted in a host function");
    }

    private static HostFunction function(String name, int params, Handler handler) {
        ValType[] types = new ValType[params];
        java.util.Arrays.fill(types, ValType.I32);
        return new HostFunction(MODULE, name, FunctionType.of(types, new ValType[] {ValType.I32}),
                (instance, args) -> {
                    long[] unsigned = new long[args.length];
                    for (int i = 0; i < args.length; i++) {
                        unsigned[i] = args[i] & 0xFFFFFFFFL; // pointers and lengths are u32
                    }
                    return new long[] {(int) handler.call(instance, unsigned)};
                });
    }

    @FunctionalInterface
    private interface Handler {
        long call(Instance instance, long[] args);
    }
}
