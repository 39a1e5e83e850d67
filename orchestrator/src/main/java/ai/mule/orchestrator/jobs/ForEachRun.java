package ai.mule.orchestrator.jobs;

import ai.mule.expressions.StepExpressions;
import ai.mule.orchestrator.jobs.StepState.ItemState;
import ai.mule.orchestrator.jobs.StepState.Phase;
import ai.mule.schemas.FailureKind;
import ai.mule.schemas.JobControl;
import ai.mule.schemas.JobEvent;
import ai.mule.schemas.ParentStep;
import ai.mule.schemas.StepDefinition;
import ai.mule.schemas.StepFlow;
import ai.mule.schemas.StepPolicy;
import ai.mule.schemas.StepRef;
import ai.mule.schemas.StepResult;
import ai.mule.schemas.StepStarted;
import ai.mule.schemas.Topics;
import ai.mule.schemas.WorkflowStep;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A for-each step of a graph job ({@link FlowRun}): its {@code items} expression, evaluated when the step is ready,
 * gives a JSON array; the step runs once per item, with the item as input, at most {@code concurrency} at a time,
 * and its output is the array of item outputs in item order.
 * <p>
 * An object item is the item's input as it is, any other item is sent as {@code {"prompt": item}} (how a step's
 * output reaches the next step), so that agents and modules read it as they read any input.
 * <p>
 * Each dispatch of an item (first send or retry) takes the step's next attempt number, so a result is matched to its
 * item by {@code (stepIndex, attempt)}, like any other, and a duplicate or stale one changes nothing; commands and
 * results need no extra field. The step's events are the step's, not the items': one {@code StepStarted} (attempt
 * 1, input = the items) and one {@code StepCompleted} (the output array) or {@code StepFailed}, so a for-each over
 * 1,000 items is two events, not two thousand. Items are retried by the step's policy; an item that failed for good
 * fails the step ({@code fail}) or fills its slot with {@code {"error": ...}} ({@code collect}).
 */
final class ForEachRun {

    private ForEachRun() {
    }

    /** Starts a ready for-each step; returns the job's ending transition when its items cannot be had. */
    static Transition.Applied start(FlowRun run, int index, JsonNode input) {
        StepFlow flow = run.flow(index);
        JsonNode items;
        try {
            items = StepExpressions.items(flow.forEach().items(), run.jobInput(), run.outputs());
        } catch (StepExpressions.ExpressionException e) {
            return run.fail("step '" + flow.name() + "': its for_each items could not be evaluated: " + e.getMessage(),
                    FailureKind.INVALID_INPUT);
        }
        List<ItemState> pending = new ArrayList<>(items.size());
        items.forEach(item -> pending.add(ItemState.pending(item)));
        StepRef ref = FlowRun.ref(run.job, index, 1);
        run.changes.emit((seq, at) -> new JobEvent.StepStarted(Topics.SCHEMA_VERSION, run.job.jobId(), seq, at, ref,
                items));
        run.nodes.set(index, run.nodes.get(index).forEach(input, pending));
        return fill(run, index);
    }

    static Transition finished(FlowRun run, int index, StepResult result) {
        StepState node = run.nodes.get(index);
        int item = runningItem(node, result.attempt());
        if (item < 0) {
            return Transition.ignored("a result for step " + index + " attempt " + result.attempt()
                    + ", which no running item of the for-each waits for");
        }
        List<ItemState> items = new ArrayList<>(node.items());
        if (result.success()) {
            run.usage = run.usage.plusUsage(result.usage());
            items.set(item, items.get(item).done(Phase.SUCCEEDED,
                    result.output() == null ? NullNode.getInstance() : result.output()));
            run.nodes.set(index, node.withItems(node.attempt(), items));
        } else {
            Transition.Applied ended = itemFailed(run, index, item, StepFinished.kindOf(result),
                    StepFinished.errorOf(result), StepStreams.of(result));
            if (ended != null) {
                return ended;
            }
        }
        Transition.Applied ended = fill(run, index);
        return ended != null ? ended : run.advance();
    }

    /** Due item retries are sent, lost items failed; returns the job's ending transition if that ends it. */
    static Transition.Applied wakeUp(FlowRun run, int index) {
        StepState node = run.nodes.get(index);
        for (int item = 0; item < node.items().size(); item++) {
            ItemState state = run.nodes.get(index).items().get(item);
            if (state.phase() == Phase.RETRYING && JobState.due(state.retryAt(), run.now)) {
                send(run, index, item);
            } else if (state.phase() == Phase.RUNNING && JobState.due(state.deadline(), run.now)) {
                long waitedMs = run.definition(index).policy().timeoutMs() + run.job.snapshot().stepGraceMs();
                Transition.Applied ended = itemFailed(run, index, item, FailureKind.RUNNER_LOST, "no result within "
                        + waitedMs + " ms (the step's timeout plus grace): its runner was lost or is stuck",
                        StepStreams.NONE);
                if (ended != null) {
                    return ended;
                }
            }
        }
        return fill(run, index);
    }

    static Transition runnerStarted(FlowRun run, int index, StepStarted started) {
        StepState node = run.nodes.get(index);
        int item = runningItem(node, started.attempt());
        if (item < 0) {
            return Transition.ignored("step " + index + " attempt " + started.attempt()
                    + " started, but no running item of the for-each waits for it");
        }
        Instant deadline = RunnerStarted.deadlineAfter(started, run.now, run.definition(index).policy().timeoutMs(),
                run.job.snapshot().stepGraceMs());
        ItemState state = node.items().get(item);
        if (state.deadline() != null && !deadline.isAfter(state.deadline())) {
            return Transition.ignored("the item's deadline " + state.deadline() + " is already as late");
        }
        List<ItemState> items = new ArrayList<>(node.items());
        items.set(item, state.awaitedUntil(deadline));
        run.nodes.set(index, node.withItems(node.attempt(), items));
        return run.changes.into(run.state());
    }

    private static int runningItem(StepState node, int attempt) {
        for (int i = 0; i < node.items().size(); i++) {
            ItemState item = node.items().get(i);
            if (item.phase() == Phase.RUNNING && item.attempt() == attempt) {
                return i;
            }
        }
        return -1;
    }

    /** An item's attempt failed: retried by the step's policy, else the item fails (collect) or the step does. */
    private static Transition.Applied itemFailed(FlowRun run, int index, int item, FailureKind kind, String error,
                                                 StepStreams streams) {
        StepState node = run.nodes.get(index);
        List<ItemState> items = new ArrayList<>(node.items());
        ItemState state = items.get(item);
        if (run.definition(index) instanceof WorkflowStep && state.phase() == Phase.RUNNING) {
            // an item's child job given up (lost) must not run on unwatched
            run.changes.control(JobControl.cancel(new ParentStep(run.job.jobId(), index, state.attempt(), null)
                    .childJobId(), "its for-each item was given up: " + error, run.now));
        }
        StepPolicy policy = run.definition(index).policy();
        if (policy.retries(kind, state.tries())) {
            Instant retryAt = run.now.plusMillis(policy.backoffBeforeAttempt(state.tries() + 1));
            items.set(item, state.retryingAt(retryAt));
            run.nodes.set(index, node.withItems(node.attempt(), items));
            if (JobState.due(retryAt, run.now)) {
                send(run, index, item);
            }
            return null;
        }
        String itemError = "item " + item + ": " + error;
        if (run.flow(index).forEach().collects()) {
            ObjectNode slot = JsonNodeFactory.instance.objectNode();
            ObjectNode why = slot.putObject("error");
            why.put("kind", kind.wire());
            why.put("message", error);
            items.set(item, state.done(Phase.FAILED, slot));
            run.nodes.set(index, node.withItems(node.attempt(), items));
            return null;
        }
        return run.failedForGood(index, FlowRun.ref(run.job, index, 1), kind, itemError, 0, streams);
    }

    /**
     * Sends pending items while fewer than the step's concurrency run; once every item is done, the step completes
     * with the outputs in item order. Returns null: a for-each that completes lets the job go on.
     */
    private static Transition.Applied fill(FlowRun run, int index) {
        StepState node = run.nodes.get(index);
        if (node.phase() != Phase.RUNNING || !node.forEach()) {
            return null;
        }
        int limit = run.flow(index).forEach().concurrency();
        long active = node.items().stream().filter(i -> i.phase().active()).count();
        for (int item = 0; item < node.items().size() && active < limit; item++) {
            if (run.nodes.get(index).items().get(item).phase() == Phase.PENDING) {
                send(run, index, item);
                active++;
            }
        }
        node = run.nodes.get(index);
        if (node.items().stream().allMatch(i -> i.phase().done())) {
            ArrayNode outputs = JsonNodeFactory.instance.arrayNode(node.items().size());
            node.items().forEach(i -> outputs.add(i.output()));
            StepRef ref = FlowRun.ref(run.job, index, 1);
            run.changes.emit((seq, at) -> new JobEvent.StepCompleted(Topics.SCHEMA_VERSION, run.job.jobId(), seq, at,
                    ref, outputs, 0, null, null, null));
            run.nodes.set(index, node.succeeded(outputs));
        }
        return null;
    }

    /** Sends item {@code item} (first try or retry) with the step's next attempt number. */
    private static void send(FlowRun run, int index, int item) {
        StepState node = run.nodes.get(index);
        StepDefinition step = run.definition(index);
        Instant deadline = run.now.plusMillis(step.policy().timeoutMs() + run.job.snapshot().stepGraceMs());
        int attempt = node.attempt() + 1;
        List<ItemState> items = new ArrayList<>(node.items());
        ItemState state = items.get(item);
        items.set(item, state.running(attempt, deadline));
        run.nodes.set(index, node.withItems(attempt, items));
        if (step instanceof WorkflowStep child) {
            // a for-each over a sub-workflow: one child job per item (and per retry), keyed by its attempt number
            run.changes.requestChild(child, itemInput(state.value()),
                    new ParentStep(run.job.jobId(), index, attempt, run.flow(index).name()));
        } else {
            run.changes.send(run.job.jobId(), index, attempt, step, itemInput(state.value()), deadline);
        }
    }

    /** An object item is the input as it is; any other is passed as Mule v2 passes outputs on: {"prompt": item}. */
    static JsonNode itemInput(JsonNode item) {
        if (item.isObject()) {
            return item;
        }
        ObjectNode prompt = JsonNodeFactory.instance.objectNode();
        prompt.set("prompt", item);
        return prompt;
    }
}
