package ai.mule.orchestrator.jobs;

import static ai.mule.orchestrator.TestJobs.graph;
import static ai.mule.orchestrator.TestJobs.newJobId;
import static ai.mule.orchestrator.TestJobs.node;
import static ai.mule.orchestrator.TestJobs.prompt;
import static ai.mule.orchestrator.TestJobs.text;
import static ai.mule.orchestrator.TestJobs.wasm;
import static org.assertj.core.api.Assertions.assertThat;

import ai.mule.orchestrator.Results;
import ai.mule.schemas.FailureKind;
import ai.mule.schemas.JobEvent;
import ai.mule.schemas.JobEvent.JobCancelled;
import ai.mule.schemas.JobEvent.JobCompleted;
import ai.mule.schemas.JobEvent.JobFailed;
import ai.mule.schemas.JobEvent.StepCompleted;
import ai.mule.schemas.JobEvent.StepFailed;
import ai.mule.schemas.JobEvent.StepRetrying;
import ai.mule.schemas.JobEvent.StepStarted;
import ai.mule.schemas.JobIngressRequest;
import ai.mule.schemas.JobRequest;
import ai.mule.schemas.JobStatus;
import ai.mule.schemas.JsonSerde;
import ai.mule.schemas.StepCommand;
import ai.mule.schemas.StepDefinition;
import ai.mule.schemas.StepFlow;
import ai.mule.schemas.StepPolicy;
import ai.mule.schemas.StepResult;
import ai.mule.schemas.ParentStep;
import ai.mule.schemas.WasmStep;
import ai.mule.schemas.WorkflowStep;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Workflow graphs in the one state machine per job: fan-out, joins, conditions, retries in branches, fallbacks. */
class FlowTopologyTest extends TopologyTestBase {

    /** 3 attempts, 100 ms then 300 ms between them, 1 s a run. */
    static final StepPolicy QUICK = new StepPolicy(3, 100, 3.0, 10_000, 1_000, false);
    static final StepPolicy ONCE = new StepPolicy(1, 0, 1.0, 0, 1_000, false);

    /** split -> a, b, c -> merge (indexes 0 .. 4), each step with {@code policy}. */
    static List<StepDefinition> review(StepPolicy policy) {
        return List.of(wasm(1, "split", policy), wasm(2, "a", policy), wasm(3, "b", policy), wasm(4, "c", policy),
                wasm(5, "merge", policy));
    }

    static List<StepFlow> fanOutAndJoin(String joinPolicy) {
        return List.of(node("split"), node("a", 0), node("b", 0), node("c", 0),
                new StepFlow("merge", List.of(1, 2, 3), joinPolicy, null, null, null));
    }

    @Test
    void dispatchesBranchesTogetherAndJoinsTheirOutputsByNameOnce() {
        String jobId = newJobId();
        orchestrator.request(graph(jobId, review(QUICK), fanOutAndJoin(null)));
        StepCommand split = single(orchestrator.commands());
        assertThat(split.stepIndex()).isZero();
        assertThat(split.input()).isEqualTo(prompt("hello"));

        orchestrator.result(ok(split, "parts"));

        List<StepCommand> branches = sorted(orchestrator.commands());
        assertThat(branches).extracting(StepCommand::stepIndex).containsExactly(1, 2, 3);
        assertThat(branches).allSatisfy(c -> assertThat(c.input()).isEqualTo(prompt("parts")));
        assertThat(orchestrator.events()).extracting(e -> e.getClass().getSimpleName())
                .containsExactly("JobStarted", "StepStarted", "StepCompleted", "StepStarted", "StepStarted",
                        "StepStarted");

        orchestrator.result(ok(branches.get(2), "from c"));
        orchestrator.result(ok(branches.get(0), "from a"));
        orchestrator.result(ok(branches.get(0), "from a again"));
        assertThat(orchestrator.commands()).as("the join waits for b; a's duplicate changes nothing").isEmpty();
        assertThat(orchestrator.events()).hasSize(2);

        orchestrator.result(ok(branches.get(1), "from b"));
        StepCommand merge = single(orchestrator.commands());
        assertThat(merge.stepIndex()).isEqualTo(4);
        assertThat(merge.input()).isEqualTo(json("{\"a\": \"from a\", \"b\": \"from b\", \"c\": \"from c\"}"));
        orchestrator.result(ok(branches.get(1), "from b again"));
        assertThat(orchestrator.commands()).isEmpty();

        orchestrator.events();
        orchestrator.result(ok(merge, "merged"));
        List<JobEvent> end = orchestrator.events();
        assertThat(end).hasSize(2);
        assertThat(((JobCompleted) end.get(1)).output()).isEqualTo(prompt("merged"));
        assertThat(orchestrator.state(jobId).status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(orchestrator.state(jobId).progress().nodes()).as("no step's input or output kept once ended")
                .isNull();
        assertThat(orchestrator.state(jobId).snapshot().flow()).isNull();
        assertThat(orchestrator.timerCount()).isZero();
    }

    @Test
    void failFastFailsTheJobAtTheFirstFailedBranchAndIgnoresTheOthersResults() {
        String jobId = newJobId();
        orchestrator.request(graph(jobId, review(ONCE), fanOutAndJoin(StepFlow.FAIL_FAST)));
        orchestrator.result(ok(single(orchestrator.commands()), "parts"));
        List<StepCommand> branches = sorted(orchestrator.commands());
        orchestrator.events();

        orchestrator.result(Results.failed(branches.get(1), FailureKind.MODULE_FAILED, "b broke", null, null, 5, null));

        List<JobEvent> events = orchestrator.events();
        assertThat(events).extracting(e -> e.getClass().getSimpleName()).containsExactly("StepFailed", "JobFailed");
        assertThat(((StepFailed) events.get(0)).step().stepIndex()).isEqualTo(2);
        assertThat(((JobFailed) events.get(1)).error()).isEqualTo("step 3 failed: b broke");
        assertThat(orchestrator.controlsSent()).as("the other running branches are told to stop").hasSize(1);

        orchestrator.result(ok(branches.get(0), "late a"));
        orchestrator.result(ok(branches.get(2), "late c"));
        assertThat(orchestrator.events()).isEmpty();
        assertThat(orchestrator.commands()).isEmpty();
        assertThat(orchestrator.state(jobId).status()).isEqualTo(JobStatus.FAILED);
    }

    @Test
    void waitAllHandsAFailedBranchToTheJoinAsAnError() {
        String jobId = newJobId();
        orchestrator.request(graph(jobId, review(ONCE), fanOutAndJoin(StepFlow.WAIT_ALL)));
        orchestrator.result(ok(single(orchestrator.commands()), "parts"));
        List<StepCommand> branches = sorted(orchestrator.commands());

        orchestrator.result(Results.failed(branches.get(1), FailureKind.MODULE_FAILED, "b broke", null, null, 5, null));
        orchestrator.result(ok(branches.get(0), "from a"));
        assertThat(orchestrator.commands()).isEmpty();
        orchestrator.result(ok(branches.get(2), "from c"));

        StepCommand merge = single(orchestrator.commands());
        assertThat(merge.input()).isEqualTo(json("{\"a\": \"from a\", \"b\": {\"error\": {\"kind\": \"module_failed\","
                + " \"message\": \"b broke\"}}, \"c\": \"from c\"}"));
        orchestrator.result(ok(merge, "merged anyway"));
        assertThat(orchestrator.state(jobId).status()).isEqualTo(JobStatus.COMPLETED);
    }

    @Test
    void conditionsRouteToOneBranchAndSkipWhatOnlyFollowsSkippedSteps() {
        String jobId = newJobId();
        List<StepDefinition> steps = List.of(wasm(1, "classify", QUICK), wasm(2, "billing", QUICK),
                wasm(3, "support", QUICK), wasm(4, "support-followup", QUICK));
        List<StepFlow> flow = List.of(node("classify"),
                new StepFlow("billing", List.of(0), null, "steps.classify.label == 'billing'", null, null),
                new StepFlow("support", List.of(0), null, "steps.classify.label == 'support' && input.prompt != ''",
                        null, null),
                node("followup", 2));
        orchestrator.request(graph(jobId, steps, flow));

        orchestrator.result(Results.succeeded(single(orchestrator.commands()), json("{\"label\": \"billing\"}"), null,
                null, 5, null));

        StepCommand billing = single(orchestrator.commands());
        assertThat(billing.step()).extracting(s -> ((WasmStep) s).moduleName()).isEqualTo("billing");
        List<JobEvent.StepSkipped> skipped = orchestrator.events().stream()
                .filter(JobEvent.StepSkipped.class::isInstance).map(JobEvent.StepSkipped.class::cast).toList();
        assertThat(skipped).as("each step that will not run says so once, with why")
                .extracting(e -> e.step().stepIndex(), JobEvent.StepSkipped::reason)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(2, "its condition is false: "
                                + "steps.classify.label == 'support' && input.prompt != ''"),
                        org.assertj.core.groups.Tuple.tuple(3, "every step it depends on was skipped"));
        orchestrator.result(ok(billing, "refund issued"));
        JobCompleted completed = (JobCompleted) orchestrator.events().get(1);
        assertThat(completed.output()).as("the one branch that ran is the job's output")
                .isEqualTo(prompt("refund issued"));
    }

    @Test
    void aConditionThatCannotBeEvaluatedFailsTheJobNamingTheStep() {
        String jobId = newJobId();
        orchestrator.request(graph(jobId, List.of(wasm(1, "x", QUICK)),
                List.of(new StepFlow("guarded", List.of(), null, "input.missing.deeper == 1", null, null))));

        List<JobEvent> events = orchestrator.events();
        assertThat(((JobFailed) events.get(events.size() - 1)).error()).startsWith("step 'guarded': its condition");
        assertThat(orchestrator.commands()).isEmpty();
    }

    @Test
    void retriesTimersAndLostRunnersWorkPerBranch() {
        String jobId = newJobId();
        orchestrator.request(graph(jobId, review(QUICK), fanOutAndJoin(null)));
        orchestrator.result(ok(single(orchestrator.commands()), "parts"));
        List<StepCommand> branches = sorted(orchestrator.commands());
        orchestrator.events();

        orchestrator.result(Results.failed(branches.get(0), FailureKind.PROVIDER_UNAVAILABLE, "503", null, null, 5,
                null));
        StepRetrying retrying = (StepRetrying) single(orchestrator.events());
        assertThat(retrying.step().stepIndex()).isEqualTo(1);
        orchestrator.result(ok(branches.get(1), "from b"));
        orchestrator.advance(Duration.ofMillis(150));
        StepCommand retry = single(orchestrator.commands());
        assertThat(retry.stepIndex()).isEqualTo(1);
        assertThat(retry.attempt()).isEqualTo(2);
        assertThat(retry.input()).isEqualTo(prompt("parts"));
        orchestrator.result(ok(branches.get(0), "stale attempt 1"));
        assertThat(orchestrator.state(jobId).progress().nodes().get(1).phase()).isEqualTo(StepState.Phase.RUNNING);

        // c's runner never answers: lost after its timeout plus grace, retried; a's retry answers
        orchestrator.result(ok(retry, "from a"));
        orchestrator.events();
        orchestrator.advance(Duration.ofSeconds(7));
        assertThat(orchestrator.commands()).as("the lost attempt waits for its backoff").isEmpty();
        orchestrator.advance(Duration.ofMillis(150));
        List<StepCommand> again = orchestrator.commands();
        assertThat(again).extracting(StepCommand::stepIndex, StepCommand::attempt).containsExactly(
                org.assertj.core.groups.Tuple.tuple(3, 2));
        assertThat(orchestrator.events()).filteredOn(StepRetrying.class::isInstance).singleElement()
                .extracting(e -> ((StepRetrying) e).failureKind()).isEqualTo(FailureKind.RUNNER_LOST);
        orchestrator.result(ok(again.get(0), "from c"));
        assertThat(single(orchestrator.commands()).input())
                .isEqualTo(json("{\"a\": \"from a\", \"b\": \"from b\", \"c\": \"from c\"}"));
    }

    @Test
    void aStepThatFailedForGoodRunsItsFallbackWithTheSameInput() {
        String jobId = newJobId();
        WasmStep backup = wasm(2, "other-model", ONCE);
        orchestrator.request(graph(jobId, List.of(wasm(1, "first", QUICK), wasm(2, "model", ONCE)),
                List.of(node("first"), new StepFlow("answer", List.of(0), null, null, null, backup))));
        orchestrator.result(ok(single(orchestrator.commands()), "question"));
        StepCommand model = single(orchestrator.commands());
        orchestrator.events();

        orchestrator.result(Results.failed(model, FailureKind.PROVIDER_REJECTED, "quota", null, null, 5, null));

        StepCommand fallback = single(orchestrator.commands());
        assertThat(((WasmStep) fallback.step()).moduleName()).isEqualTo("other-model");
        assertThat(fallback.stepIndex()).isEqualTo(1);
        assertThat(fallback.attempt()).as("the fallback's attempts number on").isEqualTo(2);
        assertThat(fallback.input()).isEqualTo(model.input());
        assertThat(orchestrator.events()).extracting(e -> e.getClass().getSimpleName())
                .containsExactly("StepRetrying", "StepStarted");
        orchestrator.result(ok(model, "late reply of the first model"));
        assertThat(orchestrator.events()).isEmpty();

        orchestrator.result(ok(fallback, "answer from the other model"));
        assertThat(((JobCompleted) orchestrator.events().get(1)).output())
                .isEqualTo(prompt("answer from the other model"));
    }

    @Test
    void aFallbackThatFailsToo_failsTheJob() {
        String jobId = newJobId();
        orchestrator.request(graph(jobId, List.of(wasm(1, "model", ONCE)),
                List.of(new StepFlow("answer", List.of(), null, null, null, wasm(1, "other", ONCE)))));
        orchestrator.result(Results.failed(single(orchestrator.commands()), FailureKind.MODULE_FAILED, "no", null, null,
                5, null));
        orchestrator.result(Results.failed(single(orchestrator.commands()), FailureKind.MODULE_FAILED, "neither", null,
                null, 5, null));
        List<JobEvent> events = orchestrator.events();
        assertThat(((JobFailed) events.get(events.size() - 1)).error()).isEqualTo("step 1 failed: neither");
    }

    @Test
    void cancellingMidFanOutEndsTheJobAndLateResultsChangeNothing() {
        String jobId = newJobId();
        orchestrator.request(graph(jobId, review(QUICK), fanOutAndJoin(null)));
        orchestrator.result(ok(single(orchestrator.commands()), "parts"));
        List<StepCommand> branches = sorted(orchestrator.commands());
        orchestrator.result(ok(branches.get(0), "from a"));
        orchestrator.events();

        orchestrator.cancel(jobId);
        assertThat(single(orchestrator.events())).isInstanceOf(JobCancelled.class);
        orchestrator.result(ok(branches.get(1), "late b"));
        orchestrator.result(ok(branches.get(2), "late c"));
        orchestrator.advance(Duration.ofSeconds(30));
        assertThat(orchestrator.events()).isEmpty();
        assertThat(orchestrator.commands()).isEmpty();
        assertThat(orchestrator.timerCount()).isZero();
    }

    @Test
    void aJoinOfOutputsTooLargeToCarryFailsTheJobNotTheTransaction() {
        String jobId = newJobId();
        orchestrator.request(graph(jobId, review(QUICK), fanOutAndJoin(null)));
        orchestrator.result(ok(single(orchestrator.commands()), "parts"));
        List<StepCommand> branches = sorted(orchestrator.commands());
        String big = "x".repeat(400_000);
        branches.forEach(branch -> orchestrator.result(ok(branch, big)));

        List<JobEvent> events = orchestrator.events();
        JobFailed failed = (JobFailed) events.get(events.size() - 1);
        assertThat(failed.error()).startsWith("the job cannot go on:").contains("mule.limits.max-record-bytes");
        assertThat(orchestrator.commands()).isEmpty();
        assertThat(orchestrator.state(jobId).status()).isEqualTo(JobStatus.FAILED);

        String next = newJobId();
        orchestrator.request(graph(next, review(QUICK), fanOutAndJoin(null)));
        assertThat(orchestrator.commands()).as("other jobs flow").hasSize(1);
    }

    static List<StepFlow> splitThenForEach(int concurrency, String onItemFailure) {
        return List.of(node("split"), new StepFlow("each", List.of(0), null, null,
                new StepFlow.ForEach("steps.split.parts", concurrency, onItemFailure), null));
    }

    @Test
    void forEachRunsItemsWithBoundedConcurrencyAndCollectsOutputsInItemOrder() {
        String jobId = newJobId();
        orchestrator.request(graph(jobId, List.of(wasm(1, "split", QUICK), wasm(2, "upper", QUICK)),
                splitThenForEach(2, null)));
        orchestrator.result(Results.succeeded(single(orchestrator.commands()),
                json("{\"parts\": [\"a\", \"b\", {\"k\": 1}, \"d\"]}"), null, null, 5, null));

        List<StepCommand> first = sorted(orchestrator.commands());
        assertThat(first).as("two at a time").hasSize(2);
        assertThat(first).extracting(StepCommand::input).containsExactly(prompt("a"), prompt("b"));
        assertThat(first).extracting(StepCommand::attempt).containsExactly(1, 2);
        List<JobEvent> events = orchestrator.events();
        assertThat(events.get(events.size() - 1)).isInstanceOf(StepStarted.class);

        orchestrator.result(ok(first.get(1), "B"));
        StepCommand third = single(orchestrator.commands());
        assertThat(third.input()).as("an object item is the input as it is").isEqualTo(json("{\"k\": 1}"));
        orchestrator.result(ok(first.get(1), "B again"));
        assertThat(orchestrator.commands()).as("a duplicate frees no slot").isEmpty();
        orchestrator.result(ok(third, "K"));
        StepCommand fourth = single(orchestrator.commands());
        orchestrator.result(ok(fourth, "D"));
        assertThat(orchestrator.state(jobId).status()).isEqualTo(JobStatus.RUNNING);
        assertThat(orchestrator.events()).as("items have no events of their own").isEmpty();

        orchestrator.result(ok(first.get(0), "A"));
        List<JobEvent> end = orchestrator.events();
        assertThat(end).extracting(e -> e.getClass().getSimpleName()).containsExactly("StepCompleted", "JobCompleted");
        assertThat(((StepCompleted) end.get(0)).output()).isEqualTo(json("[\"A\", \"B\", \"K\", \"D\"]"));
        assertThat(((JobCompleted) end.get(1)).output()).isEqualTo(json("{\"prompt\": [\"A\", \"B\", \"K\", \"D\"]}"));
    }

    @Test
    void forEachRetriesAnItemThenCollectsOrFailsOnItsFailure() {
        String collecting = newJobId();
        orchestrator.request(graph(collecting, List.of(wasm(1, "split", QUICK), wasm(2, "upper", QUICK)),
                splitThenForEach(4, StepFlow.ForEach.COLLECT)));
        orchestrator.result(Results.succeeded(single(orchestrator.commands()), json("{\"parts\": [1, 2]}"), null,
                null, 5, null));
        List<StepCommand> items = sorted(orchestrator.commands());
        orchestrator.result(Results.failed(items.get(0), FailureKind.PROVIDER_UNAVAILABLE, "503", null, null, 5, null));
        orchestrator.advance(Duration.ofMillis(150));
        StepCommand retry = single(orchestrator.commands());
        assertThat(retry.input()).isEqualTo(items.get(0).input());
        assertThat(retry.attempt()).as("a retry takes the step's next attempt number").isEqualTo(3);
        orchestrator.result(ok(items.get(0), "stale"));
        orchestrator.result(Results.failed(retry, FailureKind.MODULE_FAILED, "bad item", null, null, 5, null));
        orchestrator.result(ok(items.get(1), "two"));
        List<JobEvent> events = orchestrator.events();
        JobCompleted completed = (JobCompleted) events.get(events.size() - 1);
        assertThat(completed.output()).isEqualTo(json("{\"prompt\": [{\"error\": {\"kind\": \"module_failed\", "
                + "\"message\": \"bad item\"}}, \"two\"]}"));

        String failing = newJobId();
        orchestrator.request(graph(failing, List.of(wasm(1, "split", QUICK), wasm(2, "upper", QUICK)),
                splitThenForEach(4, null)));
        orchestrator.result(Results.succeeded(single(orchestrator.commands()), json("{\"parts\": [1, 2]}"), null,
                null, 5, null));
        items = sorted(orchestrator.commands());
        orchestrator.events();
        orchestrator.result(Results.failed(items.get(1), FailureKind.MODULE_FAILED, "bad item", null, null, 5, null));
        List<JobEvent> failed = orchestrator.events();
        assertThat(failed).extracting(e -> e.getClass().getSimpleName()).containsExactly("StepFailed", "JobFailed");
        assertThat(((JobFailed) failed.get(1)).error()).isEqualTo("step 2 failed: item 1: bad item");
        assertThat(orchestrator.controlsSent()).hasSize(1);
    }

    @Test
    void forEachItemsThatAreNotAListFailTheJobNamingTheStep() {
        String jobId = newJobId();
        orchestrator.request(graph(jobId, List.of(wasm(1, "split", QUICK), wasm(2, "upper", QUICK)),
                splitThenForEach(4, null)));
        orchestrator.result(ok(single(orchestrator.commands()), "not an object"));
        List<JobEvent> events = orchestrator.events();
        assertThat(((JobFailed) events.get(events.size() - 1)).error()).startsWith("step 'each': its for_each items");
    }

    /** Each item's result rewrites a state holding every item: 15,000 items held the orchestrator for 99 s. */
    @Test
    void forEachItemsOverTheLimitFailTheJobNamingTheStepAndTheSetting() {
        String jobId = newJobId();
        orchestrator.request(graph(jobId, List.of(wasm(1, "split", QUICK), wasm(2, "upper", QUICK)),
                splitThenForEach(4, null)));
        orchestrator.result(Results.succeeded(single(orchestrator.commands()),
                JsonSerde.mapper().valueToTree(java.util.Map.of("parts", java.util.Collections.nCopies(1_001, "a"))),
                null, null, 5, null));

        List<JobEvent> events = orchestrator.events();
        assertThat(((JobFailed) events.get(events.size() - 1)).error()).isEqualTo("the job cannot go on: step 'each' "
                + "has 1001 for_each items; at most 1000 (mule.limits.max-for-each-items): run them in batches, e.g. "
                + "a for_each over batches whose step is a sub-workflow with its own for_each");
        assertThat(orchestrator.commands()).as("no item was sent").isEmpty();

        String atTheLimit = newJobId();
        orchestrator.request(graph(atTheLimit, List.of(wasm(1, "split", QUICK), wasm(2, "upper", QUICK)),
                splitThenForEach(4, null)));
        orchestrator.result(Results.succeeded(single(orchestrator.commands()),
                JsonSerde.mapper().valueToTree(java.util.Map.of("parts", java.util.Collections.nCopies(1_000, "a"))),
                null, null, 5, null));
        assertThat(orchestrator.commands()).as("1,000 items run, four at a time").hasSize(4);
    }

    @Test
    void aSubWorkflowRunsAsAChildJobWhoseOutputBecomesTheStepOutput() {
        String parentId = newJobId();
        WorkflowStep sub = new WorkflowStep(2, "ws-2", "child-workflow-id", "child", null, null);
        orchestrator.request(graph(parentId, List.of(wasm(1, "classify", QUICK), sub),
                List.of(node("classify"), node("route", 0))));
        orchestrator.result(ok(single(orchestrator.commands()), "billing"));

        assertThat(orchestrator.commands()).as("no runner runs a sub-workflow").isEmpty();
        JobIngressRequest child = single(orchestrator.childRequests());
        assertThat(child.workflowId()).isEqualTo("child-workflow-id");
        assertThat(child.input()).isEqualTo(prompt("billing"));
        ParentStep parent = child.parent();
        assertThat(parent).isEqualTo(new ParentStep(parentId, 1, 1, "route"));
        assertThat(child.idempotencyKey()).isEqualTo("child:" + parentId + "/1/1");

        // the gateway makes the child job (its id derived from the key) with the child workflow's snapshot
        String childId = parent.childJobId();
        JobRequest childRequest = ai.mule.orchestrator.TestJobs.request(childId, wasm(1, "inner", QUICK))
                .withParent(parent);
        orchestrator.request(childRequest);
        orchestrator.request(childRequest);
        StepCommand inner = single(orchestrator.commands());
        assertThat(inner.jobId()).isEqualTo(childId);
        orchestrator.events();

        orchestrator.result(ok(inner, "refund issued"));

        List<JobEvent> events = orchestrator.events();
        assertThat(events).filteredOn(JobCompleted.class::isInstance).extracting(JobEvent::jobId)
                .containsExactly(childId, parentId);
        JobCompleted parentDone = (JobCompleted) events.get(events.size() - 1);
        assertThat(parentDone.output()).isEqualTo(prompt("refund issued"));
        assertThat(orchestrator.state(parentId).status()).isEqualTo(JobStatus.COMPLETED);
    }

    @Test
    void cancellingTheParentCancelsTheChildAndAFailedChildFailsTheStep() {
        String parentId = newJobId();
        WorkflowStep sub = new WorkflowStep(1, "ws-1", "child-workflow-id", "child", null, null);
        orchestrator.request(graph(parentId, List.of(sub), List.of(node("sub"))));
        ParentStep parent = single(orchestrator.childRequests()).parent();
        orchestrator.request(ai.mule.orchestrator.TestJobs.request(parent.childJobId(), wasm(1, "inner", QUICK))
                .withParent(parent));
        orchestrator.commands();
        orchestrator.events();

        orchestrator.cancel(parentId);

        assertThat(orchestrator.state(parentId).status()).isEqualTo(JobStatus.CANCELLED);
        assertThat(orchestrator.state(parent.childJobId()).status()).as("the cancel reached the child")
                .isEqualTo(JobStatus.CANCELLED);
        assertThat(orchestrator.events()).filteredOn(JobCancelled.class::isInstance).extracting(JobEvent::jobId)
                .containsExactlyInAnyOrder(parentId, parent.childJobId());

        String other = newJobId();
        orchestrator.request(graph(other, List.of(sub), List.of(node("sub"))));
        ParentStep second = single(orchestrator.childRequests()).parent();
        orchestrator.request(ai.mule.orchestrator.TestJobs.request(second.childJobId(), wasm(1, "inner", ONCE))
                .withParent(second));
        orchestrator.result(Results.failed(single(orchestrator.commands()), FailureKind.MODULE_FAILED, "inner broke",
                null, null, 5, null));
        List<JobEvent> events = orchestrator.events();
        assertThat(((JobFailed) events.get(events.size() - 1)).error())
                .isEqualTo("step 1 failed: sub-workflow job " + second.childJobId() + " failed: step 1 failed: inner broke");
    }

    @Test
    void aForEachOverASubWorkflowStartsOneChildPerItemAndKeepsItemOrder() {
        String parentId = newJobId();
        WorkflowStep sub = new WorkflowStep(2, "ws-2", "child-workflow-id", "child", null, null);
        orchestrator.request(graph(parentId, List.of(wasm(1, "split", QUICK), sub), List.of(node("split"),
                new StepFlow("each", List.of(0), null, null, new StepFlow.ForEach("steps.split.parts", 4, null), null))));
        orchestrator.result(Results.succeeded(single(orchestrator.commands()), json("{\"parts\": [\"x\", \"y\"]}"),
                null, null, 5, null));

        List<JobIngressRequest> children = orchestrator.childRequests();
        assertThat(children).extracting(JobIngressRequest::input).containsExactly(prompt("x"), prompt("y"));
        assertThat(children).extracting(c -> c.parent().attempt()).containsExactly(1, 2);
        assertThat(orchestrator.commands()).isEmpty();
        for (JobIngressRequest child : children) {
            orchestrator.request(ai.mule.orchestrator.TestJobs.request(child.parent().childJobId(),
                    wasm(1, "inner", QUICK)).withParent(child.parent()));
        }
        List<StepCommand> inner = orchestrator.commands();
        String second = children.get(1).parent().childJobId();
        inner.stream().sorted(Comparator.comparing(c -> c.jobId().equals(second) ? 0 : 1))
                .forEach(c -> orchestrator.result(ok(c, c.jobId().equals(second) ? "Y" : "X")));

        List<JobEvent> events = orchestrator.events();
        JobCompleted done = (JobCompleted) events.get(events.size() - 1);
        assertThat(done.jobId()).isEqualTo(parentId);
        assertThat(done.output()).isEqualTo(json("{\"prompt\": [\"X\", \"Y\"]}"));
    }

    @Test
    void aLinearRequestStillRunsAsALineWithNoStepStates() {
        String jobId = newJobId();
        orchestrator.request(ai.mule.orchestrator.TestJobs.request(jobId, wasm(1, "a"), wasm(2, "b")));
        orchestrator.result(ok(single(orchestrator.commands()), "one"));
        assertThat(orchestrator.state(jobId).progress().nodes()).isNull();
        assertThat(orchestrator.state(jobId).progress().stepIndex()).isEqualTo(1);
    }

    private static StepResult ok(StepCommand command, String output) {
        return Results.succeeded(command, text(output), null, null, 5, null);
    }

    private static JsonNode json(String text) {
        try {
            return JsonSerde.mapper().readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static List<StepCommand> sorted(List<StepCommand> commands) {
        return commands.stream().sorted(Comparator.comparingInt(StepCommand::stepIndex)).toList();
    }

    private static <T> T single(List<T> items) {
        assertThat(items).hasSize(1);
        return items.get(0);
    }
}
