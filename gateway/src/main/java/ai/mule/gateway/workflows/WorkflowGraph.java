package ai.mule.gateway.workflows;

import ai.mule.expressions.StepExpressions;
import ai.mule.gateway.web.ApiException;
import ai.mule.schemas.StepFlow;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks a workflow's graph fields when a step is saved, so that a job never meets a definition it cannot run:
 * each step's own fields ({@link #fields}: names, policies, CEL expressions that compile) and then the whole
 * workflow ({@link #check}: names unique, dependencies that exist, no cycle). Every refusal is a 4xx naming the step.
 */
final class WorkflowGraph {

    static final Pattern NAME = Pattern.compile("[a-z0-9_-]{1,64}");
    private static final Set<String> FOR_EACH_FIELDS = Set.of("items", "concurrency", "on_item_failure");

    private WorkflowGraph() {
    }

    /** The graph fields of a step as sent, each checked on its own (400 naming the field and the step). */
    static StepGraphFields fields(NewWorkflowStep body) {
        String step = body.name() != null ? "step '" + body.name() + "'"
                : body.stepOrder() != null ? "step " + body.stepOrder() : "the step";
        if (body.name() != null && !NAME.matcher(body.name()).matches()) {
            throw ApiException.badRequest(step + ": name must be 1 to 64 of a-z, 0-9, '_' and '-'");
        }
        List<String> dependsOn = body.dependsOn();
        if (dependsOn != null) {
            for (String dependency : dependsOn) {
                if (dependency == null || !NAME.matcher(dependency).matches()) {
                    throw ApiException.badRequest(step + ": depends_on must list step names (a-z, 0-9, '_', '-'), got "
                            + (dependency == null ? "null" : "'" + shortened(dependency) + "'"));
                }
            }
            if (Set.copyOf(dependsOn).size() != dependsOn.size()) {
                throw ApiException.badRequest(step + ": depends_on names a step more than once");
            }
        }
        String joinPolicy = body.joinPolicy();
        if (joinPolicy != null && !StepFlow.FAIL_FAST.equals(joinPolicy) && !StepFlow.WAIT_ALL.equals(joinPolicy)) {
            throw ApiException.badRequest(step + ": join_policy must be 'fail_fast' or 'wait_all', got '"
                    + shortened(joinPolicy) + "'");
        }
        String when = body.when();
        if (when != null) {
            StepExpressions.conditionProblem(when).ifPresent(problem -> {
                throw ApiException.unprocessable(step + ": 'when' is not a valid CEL condition over input and steps: "
                        + problem);
            });
        }
        return new StepGraphFields(body.name(), dependsOn == null ? null : List.copyOf(dependsOn), joinPolicy, when,
                forEach(step, body.forEach()), null);
    }

    private static ObjectNode forEach(String step, JsonNode value) {
        if (value == null || value.isNull()) {
            return null;
        }
        if (!(value instanceof ObjectNode given)) {
            throw ApiException.badRequest(step + ": for_each must be an object such as {\"items\": \"steps.split.parts\","
                    + " \"concurrency\": 4, \"on_item_failure\": \"fail\"}");
        }
        given.fieldNames().forEachRemaining(field -> {
            if (!FOR_EACH_FIELDS.contains(field)) {
                throw ApiException.badRequest(step + ": for_each has no field '" + shortened(field)
                        + "' (items, concurrency, on_item_failure)");
            }
        });
        JsonNode items = given.get("items");
        if (items == null || !items.isTextual()) {
            throw ApiException.badRequest(step + ": for_each.items is required: a CEL expression yielding a JSON array,"
                    + " e.g. \"steps.split.parts\"");
        }
        StepExpressions.itemsProblem(items.asText()).ifPresent(problem -> {
            throw ApiException.unprocessable(step + ": for_each.items is not a valid CEL expression: " + problem);
        });
        JsonNode concurrency = given.get("concurrency");
        int parallel = StepFlow.ForEach.DEFAULT_CONCURRENCY;
        if (concurrency != null && !concurrency.isNull()) {
            if (!concurrency.canConvertToInt() || !concurrency.isIntegralNumber() || concurrency.intValue() < 1
                    || concurrency.intValue() > StepFlow.ForEach.MAX_CONCURRENCY) {
                throw ApiException.badRequest(step + ": for_each.concurrency must be 1 to "
                        + StepFlow.ForEach.MAX_CONCURRENCY + ", got " + shortened(concurrency.toString()));
            }
            parallel = concurrency.intValue();
        }
        JsonNode onFailure = given.get("on_item_failure");
        String policy = onFailure == null || onFailure.isNull() ? StepFlow.ForEach.FAIL : onFailure.asText();
        if (!StepFlow.ForEach.FAIL.equals(policy) && !StepFlow.ForEach.COLLECT.equals(policy)) {
            throw ApiException.badRequest(step + ": for_each.on_item_failure must be 'fail' or 'collect', got '"
                    + shortened(policy) + "'");
        }
        ObjectNode normalized = JsonNodeFactory.instance.objectNode();
        normalized.put("items", items.asText());
        normalized.put("concurrency", parallel);
        normalized.put("on_item_failure", policy);
        return normalized;
    }

    /**
     * Checks the workflow as a whole (422 naming the step): unique names, dependencies on steps that exist (not on
     * itself), and no cycle. With no cycle and every reference resolved, every step is reachable from the job input:
     * a step left over by the topological sort is on a cycle or waits for one, and is named as such.
     */
    static void check(List<WorkflowStep> steps) {
        Map<String, WorkflowStep> byName = new LinkedHashMap<>();
        for (WorkflowStep step : steps) {
            WorkflowStep other = byName.put(step.name(), step);
            if (other != null) {
                throw ApiException.unprocessable("steps " + other.stepOrder() + " and " + step.stepOrder()
                        + " are both named '" + step.name() + "'; step names must be unique in a workflow");
            }
        }
        Map<String, List<String>> dependencies = new LinkedHashMap<>();
        for (int i = 0; i < steps.size(); i++) {
            WorkflowStep step = steps.get(i);
            List<String> dependsOn = effectiveDependencies(steps, i);
            for (String dependency : dependsOn) {
                if (dependency.equals(step.name())) {
                    throw ApiException.unprocessable("step '" + step.name() + "' depends on itself");
                }
                if (!byName.containsKey(dependency)) {
                    throw ApiException.unprocessable("step '" + step.name() + "' depends on '" + dependency
                            + "', which is no step of this workflow (its steps: " + String.join(", ", byName.keySet())
                            + ")");
                }
            }
            dependencies.put(step.name(), dependsOn);
        }
        cycle(dependencies).ifPresent(cycle -> {
            throw ApiException.unprocessable("step '" + cycle.get(0) + "' is on a cycle (" + String.join(" -> ", cycle)
                    + "), so it and the steps after it could never run; remove one of these dependencies");
        });
        for (WorkflowStep step : steps) {
            checkStepsRead(step, "'when'", step.when(), byName.keySet(), dependencies);
            if (step.forEach() != null) {
                checkStepsRead(step, "for_each.items", step.forEach().path("items").asText(), byName.keySet(),
                        dependencies);
            }
        }
    }

    /**
     * An expression may read only steps that have finished when it is evaluated: those the step depends on,
     * directly or through others. Any other name would be missing at run time, or there only by chance.
     */
    private static void checkStepsRead(WorkflowStep step, String what, String expression, Set<String> names,
                                       Map<String, List<String>> dependencies) {
        if (expression == null) {
            return;
        }
        Set<String> upstream = upstreamOf(step.name(), dependencies);
        for (String read : StepExpressions.stepsRead(expression)) {
            if (!names.contains(read)) {
                throw ApiException.unprocessable("step '" + step.name() + "': " + what + " reads steps." + read
                        + ", which is no step of this workflow (its steps: " + String.join(", ", names) + ")");
            }
            if (!upstream.contains(read)) {
                throw ApiException.unprocessable("step '" + step.name() + "': " + what + " reads steps." + read
                        + ", which has not finished when '" + step.name() + "' is ready (it is not among the steps it "
                        + "depends on, directly or through others); add '" + read + "' to its depends_on");
            }
        }
    }

    /** Every step {@code name} waits for, directly or through others (the graph has no cycle here). */
    private static Set<String> upstreamOf(String name, Map<String, List<String>> dependencies) {
        Set<String> upstream = new java.util.HashSet<>();
        Deque<String> next = new ArrayDeque<>(dependencies.getOrDefault(name, List.of()));
        while (!next.isEmpty()) {
            String dependency = next.poll();
            if (upstream.add(dependency)) {
                next.addAll(dependencies.getOrDefault(dependency, List.of()));
            }
        }
        return upstream;
    }

    /** A step's dependencies by name: its own depends_on, else the previous step in step_order. */
    static List<String> effectiveDependencies(List<WorkflowStep> steps, int index) {
        List<String> own = steps.get(index).dependsOn();
        if (own != null) {
            return own;
        }
        return index == 0 ? List.of() : List.of(steps.get(index - 1).name());
    }

    /** A cycle, as the names along it (first repeated at the end), if the dependencies have one. */
    private static Optional<List<String>> cycle(Map<String, List<String>> dependencies) {
        Map<String, Integer> remaining = new HashMap<>();
        Map<String, List<String>> dependents = new HashMap<>();
        dependencies.forEach((name, deps) -> {
            remaining.put(name, deps.size());
            deps.forEach(dep -> dependents.computeIfAbsent(dep, k -> new ArrayList<>()).add(name));
        });
        Deque<String> ready = new ArrayDeque<>();
        remaining.forEach((name, count) -> {
            if (count == 0) {
                ready.add(name);
            }
        });
        while (!ready.isEmpty()) {
            String done = ready.poll();
            remaining.remove(done);
            for (String next : dependents.getOrDefault(done, List.of())) {
                if (remaining.merge(next, -1, Integer::sum) == 0) {
                    ready.add(next);
                }
            }
        }
        if (remaining.isEmpty()) {
            return Optional.empty();
        }
        // walk back along unfinished dependencies until a name repeats: that stretch is a cycle
        List<String> path = new ArrayList<>();
        String at = dependencies.keySet().stream().filter(remaining::containsKey).findFirst().orElseThrow();
        while (!path.contains(at)) {
            path.add(at);
            at = dependencies.get(at).stream().filter(remaining::containsKey).findFirst().orElseThrow();
        }
        List<String> cycle = new ArrayList<>(path.subList(path.indexOf(at), path.size()));
        java.util.Collections.reverse(cycle);
        cycle.add(cycle.get(0));
        return Optional.of(cycle);
    }

    private static String shortened(String text) {
        return text.length() > 64 ? text.substring(0, 64) + "..." : text;
    }
}
