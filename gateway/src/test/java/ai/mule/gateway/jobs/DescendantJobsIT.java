package ai.mule.gateway.jobs;

import static ai.mule.gateway.Http.map;
import static org.assertj.core.api.Assertions.assertThat;

import ai.mule.gateway.Http;
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

/**
 * A for-each over a sub-workflow step starts a child job per item, a child that does the same multiplies them, and a
 * module can start jobs in a loop: so the gateway counts every job a step starts under the first job of its line
 * (one that no step started) and refuses one past {@code mule.limits.max-descendant-jobs} (10,000). A refused child
 * fails its parent's step saying why; a refused call is a 422; nothing of either is written; other lines go on. The
 * test plays the orchestrator (asking for children on their topic) and the runners (the headers of a step's call).
 * It runs with the default limit and brings the count near it by hand: every gateway context a test suite keeps
 * alive reads the children's topic in one group, so a context with a limit of its own would not see all of them.
 */
class DescendantJobsIT extends IntegrationTestBase {

    private static final Duration KAFKA_WAIT = Duration.ofSeconds(20);
    private static final String STARTED_BY = "Mule-Started-By";
    private static final String LIMIT = "mule.limits.max-descendant-jobs";

    @Test
    void jobsStartedBySubWorkflowsAndStepsAreCountedUnderTheirRootAndOnePastTheLimitIsRefused() {
        JsonNode child = api.workflow();
        String childWorkflow = child.get("id").asText();
        api.wasmStep(childWorkflow, api.module("upper.wasm", "").get("id").asText(), null);
        WorkflowStep route = new WorkflowStep(2, null, childWorkflow, child.get("name").asText(), null, null);
        String root = http.post("/api/v1/jobs", map("workflow_id", childWorkflow)).json().at("/data/id").asText();
        String otherRoot = http.post("/api/v1/jobs", map("workflow_id", childWorkflow)).json().at("/data/id").asText();

        // all on one key, so on one partition, read in the order sent
        ParentStep first = new ParentStep(root, 1, 1, "route");
        String key = first.childJobId();
        askForChild(key, first, route);
        askForChild(key, first, route); // a redelivery finds the job it made and counts nothing
        ParentStep grandchild = new ParentStep(first.childJobId(), 0, 1, "route");
        askForChild(key, grandchild, route);
        assertStarted(first);
        assertStarted(grandchild);

        Http.Response byAStep = http.post("/api/v1/jobs", map("workflow_id", childWorkflow),
                STARTED_BY, grandchild.childJobId());
        assertThat(byAStep.status()).as(byAStep.toString()).isEqualTo(201);
        assertThat(rootOf(byAStep.json().at("/data/id").asText())).as("a step's job, three levels down")
                .isEqualTo(UUID.fromString(root));
        assertThat(counted(root)).as("the two children and the step's job; the redelivery is not counted")
                .isEqualTo(3);

        // as if the line had started 9,999 jobs
        jdbc.sql("UPDATE job_trees SET descendant_jobs = 9999 WHERE root_job_id = ?").param(UUID.fromString(root))
                .update();
        Http.Response atTheLimit = http.post("/api/v1/jobs", map("workflow_id", childWorkflow), STARTED_BY, root);
        Http.Response pastTheLimit = http.post("/api/v1/jobs", map("workflow_id", childWorkflow), STARTED_BY, root);
        ParentStep retry = new ParentStep(root, 1, 2, "route");
        askForChild(retry.childJobId(), retry, route);

        assertThat(atTheLimit.status()).as(atTheLimit.toString()).isEqualTo(201);
        assertThat(pastTheLimit.status()).as(pastTheLimit.toString()).isEqualTo(422);
        assertThat(pastTheLimit.json().get("limit").asText()).isEqualTo(LIMIT);
        String refusal = "the steps of job " + root + " and of the jobs they started have started 10000 jobs, at "
                + "most 10000 (mule.limits.max-descendant-jobs): a for_each over a sub-workflow, or a tool or module "
                + "that starts workflows, multiplies its jobs; give it fewer items, or start the batches as jobs of "
                + "their own";
        assertThat(pastTheLimit.json().get("detail").asText()).isEqualTo(refusal);
        StepResult failed = TestKafka.read(Topics.STEP_RESULTS, root, 1, KAFKA_WAIT).get(0);
        assertThat(failed.stepIndex()).isEqualTo(1);
        assertThat(failed.attempt()).isEqualTo(2);
        assertThat(failed.success()).isFalse();
        assertThat(failed.error()).isEqualTo("the sub-workflow's job could not be started: " + refusal);
        assertThat(jdbc.sql("SELECT count(*) FROM jobs WHERE id = ? OR root_job_id = ?")
                .params(UUID.fromString(retry.childJobId()), UUID.fromString(root)).query(Long.class).single())
                .as("the two children and the two steps' jobs; nothing of the refused ones").isEqualTo(4);
        assertThat(counted(root)).as("the refused ones are not counted").isEqualTo(10_000);

        Http.Response otherLine = http.post("/api/v1/jobs", map("workflow_id", childWorkflow), STARTED_BY, otherRoot);
        assertThat(otherLine.status()).as(otherLine.toString()).isEqualTo(201);
        Http.Response bad = http.post("/api/v1/jobs", map("workflow_id", childWorkflow), STARTED_BY, "job 7");
        assertThat(bad.status()).as(bad.toString()).isEqualTo(400);
        assertThat(bad.json().get("detail").asText()).startsWith("Mule-Started-By must be a job id");
        Http.Response unknown = http.post("/api/v1/jobs", map("workflow_id", childWorkflow),
                STARTED_BY, UUID.randomUUID().toString());
        assertThat(unknown.status()).as(unknown.toString()).isEqualTo(422);
    }

    private int counted(String root) {
        return jdbc.sql("SELECT descendant_jobs FROM job_trees WHERE root_job_id = ?").param(UUID.fromString(root))
                .query(Integer.class).single();
    }

    private UUID rootOf(String jobId) {
        return jdbc.sql("SELECT root_job_id FROM jobs WHERE id = ?").param(UUID.fromString(jobId)).query(UUID.class)
                .single();
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
