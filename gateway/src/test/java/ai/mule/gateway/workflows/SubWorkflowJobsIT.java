package ai.mule.gateway.workflows;

import static ai.mule.gateway.Http.map;
import static org.assertj.core.api.Assertions.assertThat;

import ai.mule.gateway.IntegrationTestBase;
import ai.mule.schemas.JobIngressRequest;
import ai.mule.schemas.JobRequest;
import ai.mule.schemas.JsonSerde;
import ai.mule.schemas.ParentStep;
import ai.mule.schemas.StepResult;
import ai.mule.schemas.Topics;
import ai.mule.schemas.WorkflowStep;
import ai.mule.testkit.TestKafka;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

/**
 * A for-each over a sub-workflow step starts a child job per item, and a child that does the same multiplies them, so
 * the gateway counts the child jobs it makes under each root job and refuses one past
 * {@code mule.limits.max-sub-workflow-jobs} (2 here): the parent's step fails saying why, nothing of the child is
 * written, and other roots go on. The test plays the orchestrator, asking for children on their topic.
 */
@TestPropertySource(properties = "mule.limits.max-sub-workflow-jobs=2")
class SubWorkflowJobsIT extends IntegrationTestBase {

    private static final Duration KAFKA_WAIT = Duration.ofSeconds(20);

    @Test
    void childJobsAreCountedUnderTheirRootAndOnePastTheLimitFailsItsParentsStep() {
        JsonNode child = api.workflow();
        api.wasmStep(child.get("id").asText(), api.module("upper.wasm", "").get("id").asText(), null);
        WorkflowStep route = new WorkflowStep(2, null, child.get("id").asText(), child.get("name").asText(), null,
                null);
        String root = startJob();
        String otherRoot = startJob();

        // all on one key, so on one partition, read in the order sent
        ParentStep first = new ParentStep(root, 1, 1, "route");
        String key = first.childJobId();
        askForChild(key, first, route);
        askForChild(key, first, route); // a redelivery finds the job it made and counts nothing
        ParentStep grandchild = new ParentStep(first.childJobId(), 0, 1, "route");
        askForChild(key, grandchild, route);
        ParentStep retry = new ParentStep(root, 1, 2, "route");
        askForChild(key, retry, route);

        assertStarted(first);
        assertStarted(grandchild);

        StepResult failed = TestKafka.read(Topics.STEP_RESULTS, root, 1, KAFKA_WAIT).get(0);
        assertThat(failed.stepIndex()).isEqualTo(1);
        assertThat(failed.attempt()).isEqualTo(2);
        assertThat(failed.success()).isFalse();
        assertThat(failed.error()).isEqualTo("the sub-workflow's job could not be started: the sub-workflow steps of "
                + "job " + root + " and of its sub-workflow jobs have started 2 jobs, at most 2 "
                + "(mule.limits.max-sub-workflow-jobs): a for_each over a sub-workflow whose steps start sub-workflows "
                + "multiplies its jobs; give it fewer items, or start the batches as jobs of their own");
        assertThat(jdbc.sql("SELECT count(*) FROM jobs WHERE id = ?").param(UUID.fromString(retry.childJobId()))
                .query(Long.class).single()).as("nothing of the refused child is written").isZero();
        assertThat(jdbc.sql("SELECT sub_workflow_jobs FROM job_trees WHERE root_job_id = ?")
                .param(UUID.fromString(root)).query(Integer.class).single()).as("the refused one is not counted")
                .isEqualTo(2);

        ParentStep another = new ParentStep(otherRoot, 1, 1, "route");
        askForChild(another.childJobId(), another, route);
        assertStarted(another);
    }

    private String startJob() {
        String workflow = api.workflow().get("id").asText();
        api.wasmStep(workflow, api.module("upper.wasm", "").get("id").asText(), null);
        return http.post("/api/v1/jobs", map("workflow_id", workflow)).json().at("/data/id").asText();
    }

    private static void askForChild(String key, ParentStep parent, WorkflowStep route) {
        TestKafka.send(Topics.JOB_CHILDREN, key, JobIngressRequest.child(route,
                JsonSerde.mapper().createObjectNode().put("prompt", "x"), parent));
    }

    private static void assertStarted(ParentStep parent) {
        JobRequest request = TestKafka.read(Topics.JOB_REQUESTS, parent.childJobId(), 1, KAFKA_WAIT).get(0);
        assertThat(request.parent()).isEqualTo(parent);
    }
}
