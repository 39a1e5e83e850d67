package ai.mule.runner.wasm.host;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Which host functions a step's module may use, read from the step's config (the module's config with
 * the workflow step's config over it; never from the step input, which a caller controls):
 * <pre>
 * "host_functions": {
 *   "http":      ["api.example.com", "*.example.org", "127.0.0.1:8089"],
 *   "workflows": ["summarize", "0b6f...uuid", "*"],
 *   "agents":    ["helper"]
 * }
 * </pre>
 * An absent list disables its functions. {@code http} enables {@code http_request*} and
 * {@code get_last_response_*}; {@code workflows} / {@code agents} enable {@code trigger_workflow_or_agent}
 * for those targets, and {@code get_job_output} / {@code wait_for_job_and_get_output} for the jobs this run
 * started.
 */
public record HostSettings(List<String> httpHosts, List<String> workflows, List<String> agents) {

    public static final String FIELD = "host_functions";
    public static final HostSettings NONE = new HostSettings(List.of(), List.of(), List.of());

    public static HostSettings from(JsonNode config) {
        JsonNode settings = config == null ? null : config.get(FIELD);
        if (settings == null || !settings.isObject()) {
            return NONE;
        }
        return new HostSettings(strings(settings.get("http")), strings(settings.get("workflows")),
                strings(settings.get("agents")));
    }

    public boolean httpEnabled() {
        return !httpHosts.isEmpty();
    }

    public boolean operationsEnabled() {
        return !workflows.isEmpty() || !agents.isEmpty();
    }

    boolean allowsWorkflow(String idOrName) {
        return allows(workflows, idOrName);
    }

    boolean allowsAgent(String idOrName) {
        return allows(agents, idOrName);
    }

    private static boolean allows(List<String> list, String idOrName) {
        return list.contains("*") || list.stream().anyMatch(entry -> entry.equalsIgnoreCase(idOrName));
    }

    private static List<String> strings(JsonNode node) {
        List<String> values = new ArrayList<>();
        if (node != null && node.isArray()) {
            node.forEach(value -> {
                if (value.isTextual() && !value.asText().isBlank()) {
                    values.add(value.asText().strip().toLowerCase(Locale.ROOT));
                }
            });
        }
        return List.copyOf(values);
    }
}
