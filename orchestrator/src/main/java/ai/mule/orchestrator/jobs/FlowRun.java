package ai.mule.orchestrator.jobs;

import ai.mule.expressions.StepExpressions;
import ai.mule.orchestrator.jobs.StepState.Phase;
import ai.mule.schemas.FailureKind;
import ai.mule.schemas.JobControl;
import ai.mule.schemas.JobEvent;
import ai.mule.schemas.JobStatus;
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
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a job whose snapshot is a workflow graph ({@link JobSnapshot#flow}): the same one state machine per job, with
 * a {@link StepState} per step instead of one step index. Every command that changes the job works on one copy of
 * its step states and ends in one transition, so the commands of all steps that became ready at once (a fan-out)
 * are dispatched together, in the same exactly-once transaction as the result that released them.
 * <p>
 * Rules, in the order they apply:
 * <ul>
 *   <li>a step is ready when each step it depends on is done; its input is the job input (no dependency),
 *   {@code {"prompt": output}} (one, as in a line) or an object keyed by dependency name (a join; a skipped
 *   dependency is left out, a failed one a {@code wait_all} join takes appears as {@code {"error": ...}});</li>
 *   <li>a ready step whose dependencies were all skipped is skipped; one whose {@code when} is false is skipped; a
 *   {@code when} that cannot be evaluated fails the job naming the step;</li>
 *   <li>a result counts only for the attempt its step waits for: a duplicate, or a result for an attempt given up,
 *   a step that has moved on or a job that has ended, changes nothing;</li>
 *   <li>a failed attempt is retried by its step's policy (timers inside branches are per step); once the step has
 *   failed for good its fallback, if any, runs with the same input (attempts numbered on); once that has failed
 *   too, the step fails: if every step depending on it is a {@code wait_all} join, the join gets its error and the
 *   job goes on, otherwise ({@code fail_fast}) the job fails, and the runners are told to stop its other running
 *   steps (whose results, when they come, are ignored: the job has ended);</li>
 *   <li>the job completes when every step is done: its output is {@code {"prompt": output}} of its one last step
 *   (the step nothing depends on), or of an object keyed by name when several steps end branches.</li>
 * </ul>
 */
final class FlowRun {

    final JobState job;
    final Instant now;
    final Changes changes;
    final List<StepState> nodes;
    JobState usage;
    /** A step that just failed for good still has attempts out (for-each items): the runners are told to stop. */
    private boolean attemptsOut;

    private FlowRun(JobState job, Instant now) {
        this.job = job;
        this.now = now;
        this.changes = Changes.after(job, now);
        this.nodes = new ArrayList<>(job.progress().nodes());
        this.usage = job;
    }

    /** A graph job just accepted: {@code JobStarted}, then every root step (or those its conditions allow). */
    static Transition start(JobState starting, JsonNode input, Instant now) {
        List<StepState> pending = new ArrayList<>();
        starting.snapshot().steps().forEach(step -> pending.add(StepState.PENDING));
        JobState job = starting.graphStarting(input, pending);
        FlowRun run = new FlowRun(job, now);
        run.changes.emit((seq, at) -> new JobEvent.JobStarted(Topics.SCHEMA_VERSION, job.jobId(), seq, at,
                job.snapshot().workflowName(), job.snapshot().steps().size()));
        return run.advance();
    }

    static Transition finished(JobState job, StepResult result, Instant now) {
        int index = result.stepIndex();
        if (index < 0 || index >= job.progress().nodes().size()) {
            return Transition.ignored("a result for step " + index + ", which the job does not have");
        }
        StepState node = job.progress().nodes().get(index);
        if (node.forEach() && node.phase() == Phase.RUNNING) {
            return ForEachRun.finished(new FlowRun(job, now), index, result);
        }
        if (node.phase() != Phase.RUNNING || node.attempt() != result.attempt()) {
            return Transition.ignored("a result for step " + index + " attempt " + result.attempt()
                    + " but that step is " + node.phase().name().toLowerCase() + " at attempt " + node.attempt());
        }
        FlowRun run = new FlowRun(job, now);
        if (result.success()) {
            StepStreams streams = StepStreams.of(result);
            run.changes.emit((seq, at) -> new JobEvent.StepCompleted(Topics.SCHEMA_VERSION, job.jobId(), seq, at,
                    run.ref(index), result.output(), result.durationMicros(), result.usage(), streams.stdout(),
                    streams.stderr()));
            run.usage = run.usage.plusUsage(result.usage());
            run.nodes.set(index, node.succeeded(result.output() == null ? NullNode.getInstance() : result.output()));
            return run.advance();
        }
        Transition.Applied ended = run.attemptFailed(index, StepFinished.kindOf(result), StepFinished.errorOf(result),
                result.durationMicros(), StepStreams.of(result));
        return ended != null ? ended : run.advance();
    }

    /** Whatever is due: the job's deadline, then every step's retry or lost attempt, in one transition. */
    static Transition wakeUp(JobState job, Instant now) {
        FlowRun run = new FlowRun(job, now);
        if (JobState.due(job.snapshot().jobDeadline(), now)) {
            return run.fail("the job timed out: it had not ended by its deadline " + job.snapshot().jobDeadline(),
                    FailureKind.TIMEOUT);
        }
        boolean any = false;
        for (int i = 0; i < run.nodes.size(); i++) {
            StepState node = run.nodes.get(i);
            if (node.forEach() && node.phase() == Phase.RUNNING) {
                int before = run.changes.size();
                Transition.Applied ended = ForEachRun.wakeUp(run, i);
                if (ended != null) {
                    return ended;
                }
                any |= run.nodes.get(i) != node || run.changes.size() != before;
            } else if (node.phase() == Phase.RETRYING && JobState.due(node.retryAt(), now)) {
                run.dispatch(i, node.attempt(), node.input());
                any = true;
            } else if (node.phase() == Phase.RUNNING && JobState.due(node.deadline(), now)) {
                long waitedMs = run.definition(i).policy().timeoutMs() + job.snapshot().stepGraceMs();
                Transition.Applied ended = run.attemptFailed(i, FailureKind.RUNNER_LOST, "no result within " + waitedMs
                        + " ms (the step's timeout plus grace): its runner was lost or is stuck", 0, StepStreams.NONE);
                if (ended != null) {
                    return ended;
                }
                any = true;
            }
        }
        return any ? run.advance() : Transition.ignored("nothing is due yet");
    }

    /** A runner started an attempt late: its result is awaited until the start plus its timeout plus the grace. */
    static Transition runnerStarted(JobState job, StepStarted started, Instant now) {
        int index = started.stepIndex();
        if (index < 0 || index >= job.progress().nodes().size()) {
            return Transition.ignored("step " + index + " started, but the job does not have it");
        }
        StepState node = job.progress().nodes().get(index);
        if (node.forEach() && node.phase() == Phase.RUNNING) {
            return ForEachRun.runnerStarted(new FlowRun(job, now), index, started);
        }
        if (node.phase() != Phase.RUNNING || node.attempt() != started.attempt()) {
            return Transition.ignored("step " + index + " attempt " + started.attempt() + " started, but that step is "
                    + node.phase().name().toLowerCase() + " at attempt " + node.attempt());
        }
        FlowRun run = new FlowRun(job, now);
        Instant deadline = RunnerStarted.deadlineAfter(started, now, run.definition(index).policy().timeoutMs(),
                job.snapshot().stepGraceMs());
        if (node.deadline() != null && !deadline.isAfter(node.deadline())) {
            return Transition.ignored("the step's deadline " + node.deadline() + " is already as late");
        }
        run.nodes.set(index, node.awaitedUntil(deadline));
        return run.changes.into(run.state());
    }

    /** The {@code StepFailed} events of a graph job's running steps when a record did not fit. */
    static void failRunningSteps(JobState job, Changes changes, String error) {
        List<StepState> nodes = job.progress().nodes();
        for (int i = 0; i < nodes.size(); i++) {
            if (nodes.get(i).phase() == Phase.RUNNING) {
                StepRef ref = ref(job, i, nodes.get(i).attempt());
                changes.emit((seq, at) -> new JobEvent.StepFailed(Topics.SCHEMA_VERSION, job.jobId(), seq, at, ref,
                        error, 0, FailureKind.LIMIT_EXCEEDED, null, null));
            }
        }
    }

    /** The next time something is due: the earliest step retry or deadline, or the job's deadline. */
    static Instant wakeAt(JobState job) {
        Instant earliest = job.snapshot().jobDeadline();
        for (StepState node : job.progress().nodes()) {
            Instant due = node.dueAt();
            if (due != null && (earliest == null || due.isBefore(earliest))) {
                earliest = due;
            }
        }
        return earliest;
    }

    // --- the rules

    /** Starts or skips every step that is ready, until none is; completes the job when all steps are done. */
    Transition advance() {
        boolean progressed = true;
        while (progressed) {
            progressed = false;
            for (int i = 0; i < nodes.size(); i++) {
                if (nodes.get(i).phase() != Phase.PENDING || !ready(i)) {
                    continue;
                }
                progressed = true;
                StepFlow flow = flow(i);
                if (!flow.dependsOn().isEmpty() && flow.dependsOn().stream()
                        .allMatch(d -> nodes.get(d).phase() == Phase.SKIPPED)) {
                    skip(i, "every step it depends on was skipped");
                    continue;
                }
                if (flow.when() != null) {
                    boolean holds;
                    try {
                        holds = StepExpressions.condition(flow.when(), jobInput(), outputs());
                    } catch (StepExpressions.ExpressionException e) {
                        return fail("step '" + flow.name() + "': its condition (when) could not be evaluated: "
                                + e.getMessage(), FailureKind.INVALID_INPUT);
                    }
                    if (!holds) {
                        skip(i, "its condition is false: " + flow.when());
                        continue;
                    }
                }
                if (flow.forEach() != null) {
                    Transition.Applied ended = ForEachRun.start(this, i, inputOf(i));
                    if (ended != null) {
                        return ended;
                    }
                    continue;
                }
                dispatch(i, 1, inputOf(i));
            }
        }
        if (nodes.stream().allMatch(n -> n.phase().done())) {
            return complete();
        }
        return changes.into(state());
    }

    private boolean ready(int index) {
        return flow(index).dependsOn().stream().allMatch(d -> nodes.get(d).phase().done());
    }

    /** A step's input: the job input, {@code {"prompt": output}} of its one dependency, or a join's object. */
    private JsonNode inputOf(int index) {
        List<Integer> dependsOn = flow(index).dependsOn();
        if (dependsOn.isEmpty()) {
            return jobInput();
        }
        if (dependsOn.size() == 1) {
            return prompt(valueOf(dependsOn.get(0)));
        }
        ObjectNode join = JsonNodeFactory.instance.objectNode();
        for (int dependency : dependsOn) {
            if (nodes.get(dependency).phase() != Phase.SKIPPED) {
                join.set(flow(dependency).name(), valueOf(dependency));
            }
        }
        return join;
    }

    private JsonNode valueOf(int index) {
        StepState node = nodes.get(index);
        if (node.phase() == Phase.FAILED) {
            ObjectNode error = JsonNodeFactory.instance.objectNode();
            error.set("error", node.error());
            return error;
        }
        return node.output() == null ? NullNode.getInstance() : node.output();
    }

    /** The job input: a graph job keeps it as its progress' {@code stepInput} while it runs. */
    JsonNode jobInput() {
        JsonNode input = job.progress().stepInput();
        return input != null ? input : JsonNodeFactory.instance.objectNode();
    }

    Map<String, JsonNode> outputs() {
        Map<String, JsonNode> outputs = new LinkedHashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            if (nodes.get(i).phase() == Phase.SUCCEEDED) {
                outputs.put(flow(i).name(), valueOf(i));
            }
        }
        return outputs;
    }

    /** Marks a step that will not run, and says so in a {@code StepSkipped} event (its row and graph node show it). */
    private void skip(int index, String reason) {
        nodes.set(index, StepState.skipped());
        StepRef skipped = ref(job, index, 1);
        changes.emit((seq, at) -> new JobEvent.StepSkipped(Topics.SCHEMA_VERSION, job.jobId(), seq, at, skipped,
                reason));
    }

    void dispatch(int index, int attempt, JsonNode input) {
        StepDefinition step = definition(index, nodes.get(index));
        Instant deadline = now.plusMillis(step.policy().timeoutMs() + job.snapshot().stepGraceMs());
        StepState running = nodes.get(index).running(attempt, input, deadline);
        nodes.set(index, running);
        if (step instanceof WorkflowStep child) {
            changes.startChild(job.jobId(), ref(index), child, input, flow(index).name());
        } else {
            changes.dispatch(job.jobId(), ref(index), step, input, deadline);
        }
    }

    /** The child job of step {@code index}'s running attempt, if it is a sub-workflow, is told to stop. */
    private void cancelChild(int index, String reason) {
        cancelChild(job, nodes.get(index), index, reason, changes, now);
    }

    private static void cancelChild(JobState job, StepState node, int index, String reason, Changes changes,
                                    Instant now) {
        StepDefinition step = node.runsFallback() ? job.snapshot().flow().get(index).fallback()
                : job.snapshot().steps().get(index);
        if (!(step instanceof WorkflowStep) || node.phase() != Phase.RUNNING) {
            return;
        }
        if (node.forEach()) {
            // a for-each over a sub-workflow: each running item is a child job
            node.items().stream().filter(item -> item.phase() == Phase.RUNNING).forEach(item -> changes.control(
                    JobControl.cancel(new ParentStep(job.jobId(), index, item.attempt(), null).childJobId(), reason,
                            now)));
            return;
        }
        String child = new ParentStep(job.jobId(), index, node.attempt(), null).childJobId();
        changes.control(JobControl.cancel(child, reason, now));
    }

    /** A graph job ends while sub-workflow steps run: their child jobs are cancelled. */
    static void cancelChildren(JobState job, Changes changes, String reason, Instant now) {
        List<StepState> nodes = job.progress().nodes();
        for (int i = 0; i < nodes.size(); i++) {
            cancelChild(job, nodes.get(i), i, "the parent job " + job.jobId() + " ended: " + reason, changes, now);
        }
    }

    /**
     * An attempt of step {@code index} failed: retried, handed to the fallback, or the step failed for good. Returns
     * the job's ending transition when the failure ends the job, null when the job goes on.
     */
    Transition.Applied attemptFailed(int index, FailureKind kind, String error, long durationMicros,
                                             StepStreams streams) {
        StepState node = nodes.get(index);
        // a sub-workflow attempt given up (lost, timed out) must not go on running as a child nobody waits for
        cancelChild(index, "its parent step's attempt " + node.attempt() + " ended: " + error);
        StepPolicy policy = definition(index).policy();
        if (policy.retries(kind, node.ownAttempt())) {
            Instant retryAt = now.plusMillis(policy.backoffBeforeAttempt(node.ownAttempt() + 1));
            StepRef failedRef = ref(index);
            changes.emit((seq, at) -> new JobEvent.StepRetrying(Topics.SCHEMA_VERSION, job.jobId(), seq, at, failedRef,
                    error, kind, durationMicros, retryAt));
            StepState waiting = node.retryingAt(retryAt);
            nodes.set(index, waiting);
            if (JobState.due(retryAt, now)) {
                dispatch(index, waiting.attempt(), waiting.input());
            }
            return null;
        }
        StepDefinition fallback = flow(index).fallback();
        if (fallback != null && !node.runsFallback()) {
            // announced as a retry whose next attempt is the fallback's first, sent now with the same input
            StepRef failedRef = ref(index);
            changes.emit((seq, at) -> new JobEvent.StepRetrying(Topics.SCHEMA_VERSION, job.jobId(), seq, at, failedRef,
                    error + " (running its fallback)", kind, durationMicros, now));
            StepState toFallback = node.toFallback();
            nodes.set(index, toFallback);
            dispatch(index, toFallback.attempt() + 1, toFallback.input());
            return null;
        }
        return failedForGood(index, ref(index), kind, error, durationMicros, streams);
    }

    /**
     * Step {@code index} failed for good: a {@code wait_all} join takes its error and the job goes on (null), or the
     * job fails (its ending transition).
     */
    Transition.Applied failedForGood(int index, StepRef failedRef, FailureKind kind, String error,
                                     long durationMicros, StepStreams streams) {
        StepState node = nodes.get(index);
        attemptsOut |= node.forEach() && node.items().stream().anyMatch(i -> i.phase() == Phase.RUNNING);
        cancelChild(index, "its parent step failed: " + error);
        changes.emit((seq, at) -> new JobEvent.StepFailed(Topics.SCHEMA_VERSION, job.jobId(), seq, at, failedRef,
                error, durationMicros, kind, streams.stdout(), streams.stderr()));
        if (toleratedByDependents(index)) {
            ObjectNode why = JsonNodeFactory.instance.objectNode();
            why.put("kind", kind.wire());
            why.put("message", error);
            nodes.set(index, node.failed(why));
            return null;
        }
        nodes.set(index, node.failed(null));
        return fail("step " + definition(index).stepOrder() + " failed: " + error, null);
    }

    /** Whether every step depending on {@code index} is a {@code wait_all} join (and at least one does). */
    boolean toleratedByDependents(int index) {
        boolean any = false;
        for (int i = 0; i < nodes.size(); i++) {
            if (flow(i).dependsOn().contains(index)) {
                if (!flow(i).waitsForAll()) {
                    return false;
                }
                any = true;
            }
        }
        return any;
    }

    /**
     * The job fails with {@code error}. With {@code stepKind} set (a timeout), each running step fails with that
     * kind first; either way, if steps are still running, the runners are told to stop them.
     */
    Transition.Applied fail(String error, FailureKind stepKind) {
        boolean running = attemptsOut;
        for (int i = 0; i < nodes.size(); i++) {
            StepState node = nodes.get(i);
            if (node.phase() == Phase.RUNNING) {
                running = true;
                if (stepKind != null) {
                    StepRef stepRef = ref(i);
                    changes.emit((seq, at) -> new JobEvent.StepFailed(Topics.SCHEMA_VERSION, job.jobId(), seq, at,
                            stepRef, error, 0, stepKind, null, null));
                }
            }
        }
        if (running) {
            changes.control(JobControl.cancel(job.jobId(), error, now));
        }
        for (int i = 0; i < nodes.size(); i++) {
            cancelChild(i, "the parent job " + job.jobId() + " failed: " + error);
        }
        return changes
                .emit((seq, at) -> new JobEvent.JobFailed(Topics.SCHEMA_VERSION, job.jobId(), seq, at, error))
                .into(ended(JobStatus.FAILED));
    }

    private Transition complete() {
        List<Integer> last = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            int index = i;
            boolean dependedOn = false;
            for (int j = 0; j < nodes.size(); j++) {
                dependedOn |= flow(j).dependsOn().contains(index);
            }
            if (!dependedOn && nodes.get(i).phase() != Phase.SKIPPED) {
                last.add(i);
            }
        }
        JsonNode output;
        if (last.size() == 1) {
            output = valueOf(last.get(0));
        } else {
            ObjectNode byName = JsonNodeFactory.instance.objectNode();
            last.forEach(i -> byName.set(flow(i).name(), valueOf(i)));
            output = byName;
        }
        ObjectNode prompt = prompt(output);
        JobState done = ended(JobStatus.COMPLETED);
        return changes
                .emit((seq, at) -> new JobEvent.JobCompleted(Topics.SCHEMA_VERSION, job.jobId(), seq, at, prompt,
                        done.progress().usage()))
                .into(done);
    }

    // --- helpers

    JobState state() {
        return usage.withNodes(nodes);
    }

    /** The job ended: its steps keep their phases and attempts (to recognise late results), not their data. */
    private JobState ended(JobStatus status) {
        return usage.withNodes(nodes.stream().map(StepState::withoutData).toList()).finished(status, now);
    }

    StepFlow flow(int index) {
        return job.snapshot().flow().get(index);
    }

    StepDefinition definition(int index) {
        return definition(index, nodes.get(index));
    }

    private StepDefinition definition(int index, StepState node) {
        return node.runsFallback() ? flow(index).fallback() : job.snapshot().steps().get(index);
    }

    StepRef ref(int index) {
        return ref(job, index, nodes.get(index).attempt());
    }

    static StepRef ref(JobState job, int index, int attempt) {
        StepDefinition step = job.snapshot().steps().get(index);
        return new StepRef(index, step.stepOrder(), step.workflowStepId(), attempt);
    }

    private static ObjectNode prompt(JsonNode output) {
        ObjectNode prompt = JsonNodeFactory.instance.objectNode();
        prompt.set("prompt", output == null ? NullNode.getInstance() : output);
        return prompt;
    }
}
