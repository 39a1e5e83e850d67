package ai.mule.gateway.jobs;

import ai.mule.gateway.orchestration.StepPolicyFields;
import ai.mule.gateway.web.ApiException;
import ai.mule.gateway.web.Json;
import ai.mule.schemas.StepDefinition;
import ai.mule.schemas.StepFlow;
import ai.mule.schemas.StepPolicy;
import ai.mule.schemas.WorkflowStep;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Turns the graph fields of a workflow's steps (as saved and checked by the workflows API) into the {@link StepFlow}s
 * a job request carries: names resolved to step indexes, the linear default made explicit, each fallback taken as a
 * step snapshot of its own (its module or agent as they are now). A workflow whose steps use no graph field gets no
 * flow, so its jobs run, and their requests read, exactly as before.
 */
final class FlowPlanner {

    private final JobPlanner planner;

    FlowPlanner(JobPlanner planner) {
        this.planner = planner;
    }

    /** A step's graph columns as read with its snapshot row. */
    record Graph(String name, JsonNode dependsOn, String joinPolicy, String when, JsonNode forEach,
                 JsonNode fallback) {

        static Graph read(ResultSet rs, int stepOrder) throws SQLException {
            String name = rs.getString("name");
            return new Graph(name != null ? name : "step_" + stepOrder, Json.column(rs, "depends_on"),
                    rs.getString("join_policy"), rs.getString("when_condition"), Json.column(rs, "for_each"),
                    Json.column(rs, "fallback"));
        }

        boolean usesGraph() {
            return present(dependsOn) || joinPolicy != null || when != null || present(forEach) || present(fallback);
        }

        private static boolean present(JsonNode node) {
            return node != null && !node.isNull();
        }
    }

    /** The flow of {@code steps} (in order), or null when none of them uses a graph field. */
    List<StepFlow> flow(List<StepDefinition> steps, List<Graph> graph) {
        // sub-workflow steps run only in a graph (the orchestrator's FlowRun starts child jobs)
        if (graph.stream().noneMatch(Graph::usesGraph) && steps.stream().noneMatch(WorkflowStep.class::isInstance)) {
            return null;
        }
        Map<String, Integer> indexes = new HashMap<>();
        for (int i = 0; i < graph.size(); i++) {
            indexes.put(graph.get(i).name(), i);
        }
        List<StepFlow> flow = new ArrayList<>(steps.size());
        for (int i = 0; i < graph.size(); i++) {
            Graph step = graph.get(i);
            List<Integer> dependsOn = new ArrayList<>();
            if (step.dependsOn() == null || step.dependsOn().isNull()) {
                if (i > 0) {
                    dependsOn.add(i - 1);
                }
            } else {
                for (JsonNode name : step.dependsOn()) {
                    Integer index = indexes.get(name.asText());
                    if (index == null) {
                        // saving checks references; only a concurrent delete outside the API could get here
                        throw ApiException.unprocessable("step '" + step.name() + "' depends on '" + name.asText()
                                + "', which is no step of the workflow any more; fix its depends_on");
                    }
                    dependsOn.add(index);
                }
            }
            flow.add(new StepFlow(step.name(), dependsOn, step.joinPolicy(), step.when(), forEach(step.forEach()),
                    fallback(step, steps.get(i))));
        }
        return flow;
    }

    private static StepFlow.ForEach forEach(JsonNode forEach) {
        if (forEach == null || forEach.isNull()) {
            return null;
        }
        return new StepFlow.ForEach(forEach.path("items").asText(),
                forEach.path("concurrency").asInt(StepFlow.ForEach.DEFAULT_CONCURRENCY),
                forEach.path("on_item_failure").asText(StepFlow.ForEach.FAIL));
    }

    private StepDefinition fallback(Graph graph, StepDefinition step) {
        if (!(graph.fallback() instanceof ObjectNode fallback)) {
            return null;
        }
        String type = fallback.path("type").asText();
        StepPolicy policy = new StepPolicyFields(integer(fallback, "max_attempts"), number(fallback, "initial_backoff_ms"),
                fallback.hasNonNull("backoff_multiplier") ? fallback.get("backoff_multiplier").asDouble() : null,
                number(fallback, "max_backoff_ms"), number(fallback, "timeout_ms"),
                fallback.hasNonNull("retry_step_failures") ? fallback.get("retry_step_failures").asBoolean() : null)
                .resolve(StepPolicyFields.defaultsFor(type));
        ObjectNode config = Json.objectOrEmpty(fallback.get("config"), "config");
        Optional<StepDefinition> alternative = "agent".equals(type)
                ? planner.agentStep(UUID.fromString(fallback.path("agent_id").asText()), step.stepOrder(),
                        step.workflowStepId(), config, policy)
                : planner.moduleStep(UUID.fromString(fallback.path("wasm_module_id").asText()), step.stepOrder(),
                        step.workflowStepId(), config, policy);
        return alternative.orElseThrow(() -> ApiException.unprocessable("the fallback of step '" + graph.name()
                + "' names a " + ("agent".equals(type) ? "agent" : "WASM module") + " that no longer exists; "
                + "update the step's fallback"));
    }

    private static Integer integer(JsonNode node, String field) {
        return node.hasNonNull(field) ? node.get(field).asInt() : null;
    }

    private static Long number(JsonNode node, String field) {
        return node.hasNonNull(field) ? node.get(field).asLong() : null;
    }
}
