package ai.mule.orchestrator.jobs;

import static ai.mule.orchestrator.TestJobs.agent;
import static ai.mule.orchestrator.TestJobs.graph;
import static ai.mule.orchestrator.TestJobs.newJobId;
import static ai.mule.orchestrator.TestJobs.node;
import static ai.mule.orchestrator.TestJobs.request;
import static ai.mule.orchestrator.TestJobs.text;
import static ai.mule.orchestrator.TestJobs.wasm;
import static org.assertj.core.api.Assertions.assertThat;

import ai.mule.orchestrator.Results;
import ai.mule.schemas.FailureKind;
import ai.mule.schemas.JobIngressRequest;
import ai.mule.schemas.JsonSerde;
import ai.mule.schemas.StepCommand;
import ai.mule.schemas.StepFlow;
import ai.mule.schemas.StepPolicy;
import ai.mule.schemas.StepResult;
import ai.mule.schemas.WorkflowStep;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A job's call depth (how many workflow calls through agent tools it is nested in) goes with everything the
 * orchestrator sends for it: every step command, so that an agent step's tool can tell the gateway the depth of the
 * job it starts, and every sub-workflow child it asks for, which keeps its parent's depth (no tool call made it).
 */
class CallDepthTopologyTest extends TopologyTestBase {

    /** 2 attempts, no backoff: a retry is sent in the same transition as the failure. */
    static final StepPolicy TWICE = new StepPolicy(2, 0, 1.0, 0, 1_000, false);

    @Test
    void everyStepCommandOfAJobInALineCarriesItsDepthRetriesIncluded() {
        String jobId = newJobId();

        orchestrator.request(request(jobId, wasm(1, "upper", TWICE), agent(2, "poet")).atCallDepth(3));
        StepCommand first = single(orchestrator.commands());
        orchestrator.result(Results.failed(first, FailureKind.TIMEOUT, "too slow", null, null, 5, null));
        StepCommand retry = single(orchestrator.commands());
        orchestrator.result(ok(retry, "UPPER"));
        StepCommand agentStep = single(orchestrator.agentCommands());

        assertThat(List.of(first, retry, agentStep)).extracting(StepCommand::attempt).containsExactly(1, 2, 1);
        assertThat(List.of(first, retry, agentStep)).extracting(StepCommand::callDepth).containsOnly(3);
        assertThat(orchestrator.state(jobId).snapshot().callDepth()).isEqualTo(3);
    }

    @Test
    void aGraphsStepsAndItsSubWorkflowChildKeepTheJobsDepth() {
        String parentId = newJobId();
        WorkflowStep sub = new WorkflowStep(2, "ws-2", "child-workflow-id", "child", null, null);

        orchestrator.request(graph(parentId, List.of(wasm(1, "classify"), sub),
                List.of(node("classify"), node("route", 0))).atCallDepth(3));
        StepCommand classify = single(orchestrator.commands());
        orchestrator.result(ok(classify, "billing"));
        JobIngressRequest child = single(orchestrator.childRequests());

        assertThat(classify.callDepth()).isEqualTo(3);
        assertThat(child.parent().jobId()).isEqualTo(parentId);
        assertThat(child.callDepth()).as("a sub-workflow step is not a call through a tool: no +1").isEqualTo(3);
    }

    @Test
    void forEachItemsAndTheirChildrenKeepTheJobsDepth() {
        String jobId = newJobId();
        WorkflowStep sub = new WorkflowStep(3, "ws-3", "child-workflow-id", "child", null, null);
        orchestrator.request(graph(jobId, List.of(wasm(1, "split"), wasm(2, "upper"), sub), List.of(node("split"),
                forEach("each", 0), forEach("children", 0))).atCallDepth(2));

        orchestrator.result(Results.succeeded(single(orchestrator.commands()), json("{\"parts\": [\"a\", \"b\"]}"),
                null, null, 5, null));

        assertThat(orchestrator.commands()).as("the items of 'each'").hasSize(2)
                .extracting(StepCommand::callDepth).containsOnly(2);
        assertThat(orchestrator.childRequests()).as("a child per item of 'children'").hasSize(2)
                .extracting(JobIngressRequest::callDepth).containsOnly(2);
    }

    @Test
    void aJobAClientStartedIsAtDepthZeroAndItsStateSaysNothingOfIt() {
        String jobId = newJobId();

        orchestrator.request(request(jobId, wasm(1, "upper")));

        assertThat(single(orchestrator.commands()).callDepth()).isZero();
        JsonNode stored = JsonSerde.mapper().valueToTree(orchestrator.state(jobId));
        assertThat(stored.has("call_depth")).as("the state is written as before call depths").isFalse();
    }

    private static StepFlow forEach(String name, int dependsOn) {
        return new StepFlow(name, List.of(dependsOn), null, null, new StepFlow.ForEach("steps.split.parts", 4, null),
                null);
    }

    private static StepResult ok(StepCommand command, String output) {
        return Results.succeeded(command, text(output), null, null, 5, null);
    }

    private static JsonNode json(String text) {
        try {
            return JsonSerde.mapper().readTree(text);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static <T> T single(List<T> items) {
        assertThat(items).hasSize(1);
        return items.get(0);
    }
}
