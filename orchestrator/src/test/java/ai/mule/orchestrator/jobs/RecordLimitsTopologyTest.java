package ai.mule.orchestrator.jobs;

import static ai.mule.orchestrator.TestJobs.newJobId;
import static ai.mule.orchestrator.TestJobs.request;
import static ai.mule.orchestrator.TestJobs.text;
import static ai.mule.orchestrator.TestJobs.wasm;
import static org.assertj.core.api.Assertions.assertThat;

import ai.mule.orchestrator.Results;
import ai.mule.schemas.FailureKind;
import ai.mule.schemas.JobEvent;
import ai.mule.schemas.JobEvent.JobCompleted;
import ai.mule.schemas.JobEvent.JobFailed;
import ai.mule.schemas.JobEvent.StepFailed;
import ai.mule.schemas.JobRequest;
import ai.mule.schemas.JobStatus;
import ai.mule.schemas.JsonSerde;
import ai.mule.schemas.Limits;
import ai.mule.schemas.StepCommand;
import ai.mule.schemas.StepResult;
import ai.mule.schemas.WasmStep;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Records that would not fit: each fails its own job with a small event that names the record and the limit, and
 * the next job runs as usual. Limits are raised here so that each value passes its own limit on entry and only the
 * record that carries them together does not fit (mule.limits.max-record-bytes stays at its default). Each step has
 * a command of its own here, so that each record is met alone; a command that carries the steps after its own
 * ({@code CarriedStepsTopologyTest}) holds no more than the job's state does.
 */
class RecordLimitsTopologyTest {

    static final Limits RAISED = new Limits(1_000_000, 5_000, 256 * 1024, 400_000, 1_000_000, 800_000);
    /** The most any event of a job failed by a limit may take: it carries an error, never the data. */
    static final int SMALL_EVENT_BYTES = 2_000;

    @TempDir
    Path stateDir;
    OrchestratorDriver orchestrator;

    @BeforeEach
    void startDriver() {
        orchestrator = new OrchestratorDriver(stateDir, RAISED, Map.of("steps-per-command", "1"));
    }

    @AfterEach
    void closeDriver() {
        orchestrator.close();
    }

    @Test
    void aNextCommandOverTheRecordLimitFailsItsJobNotTheTransaction() throws Exception {
        String big = newJobId();
        orchestrator.request(request(big, wasm(1, "big"), withConfig(wasm(2, "upper"), 350_000)));

        orchestrator.result(succeeded(single(orchestrator.wasmCommands()), text("o".repeat(700_000))));

        List<JobEvent> events = orchestrator.events();
        assertThat(events).extracting(e -> e.getClass().getSimpleName())
                .containsExactly("JobStarted", "StepStarted", "StepFailed", "JobFailed");
        String expected = "the job cannot go on: the step command of step 2 (attempt 1) is ";
        assertThat(events.get(2)).isInstanceOfSatisfying(StepFailed.class, failed -> {
            assertThat(failed.step().stepOrder()).isEqualTo(1);
            assertThat(failed.failureKind()).isEqualTo(FailureKind.LIMIT_EXCEEDED);
            assertThat(failed.error()).startsWith(expected);
        });
        assertThat(events.get(3)).isInstanceOfSatisfying(JobFailed.class, failed -> assertThat(failed.error())
                .startsWith(expected).endsWith(" bytes as JSON, over the limit of 1000000 bytes "
                        + "(mule.limits.max-record-bytes)"));
        assertThat(events).extracting(JobEvent::seq).containsExactly(1L, 2L, 3L, 4L);
        for (JobEvent event : events.subList(2, 4)) {
            assertThat(JsonSerde.mapper().writeValueAsBytes(event).length).isLessThan(SMALL_EVENT_BYTES);
        }
        assertThat(orchestrator.commands()).isEmpty();
        JobState state = orchestrator.state(big);
        assertThat(state.status()).isEqualTo(JobStatus.FAILED);
        assertThat(state.snapshot().steps()).as("the failed state keeps no snapshot").isEmpty();
        assertThat(orchestrator.timerCount()).isZero();

        assertTheNextJobCompletes();
    }

    @Test
    void anOutputDeeperThanJsonCanBeWrittenFailsItsJobWhenTheDepthLimitIsRaisedPastIt() {
        String deep = newJobId();
        orchestrator.request(request(deep, wasm(1, "nest"), wasm(2, "upper")));

        orchestrator.result(succeeded(single(orchestrator.wasmCommands()), OrchestratorTopologyTest.nested(999)));

        assertThat(last(orchestrator.events())).isInstanceOfSatisfying(JobFailed.class, failed -> assertThat(
                failed.error()).startsWith("the job cannot go on: the step command of step 2 (attempt 1) cannot be "
                + "written as JSON (Document nesting depth (1001) exceeds the maximum allowed").contains(
                "values may nest at most 5000 levels (mule.limits.max-json-depth)"));
        assertThat(orchestrator.commands()).isEmpty();
        assertThat(orchestrator.state(deep).status()).isEqualTo(JobStatus.FAILED);

        assertTheNextJobCompletes();
    }

    @Test
    void aJobWhoseStateWouldNotFitFailsAtOnceAndRepliesSo() {
        String huge = newJobId();
        JobRequest request = request(huge, withConfig(wasm(1, "a"), 340_000), withConfig(wasm(2, "b"), 340_000),
                withConfig(wasm(3, "c"), 340_000)).with(null, "orders.replies");

        orchestrator.request(request);

        JobFailed failed = (JobFailed) single(orchestrator.events());
        assertThat(failed.seq()).isEqualTo(1);
        assertThat(failed.error()).startsWith("the job cannot go on: the job's state (its workflow snapshot and "
                + "current step input) is ").endsWith("(mule.limits.max-record-bytes)");
        assertThat(orchestrator.replies("orders.replies")).containsExactly(failed);
        assertThat(orchestrator.commands()).isEmpty();
        JobState state = orchestrator.state(huge);
        assertThat(state.status()).isEqualTo(JobStatus.FAILED);
        assertThat(state.progress().lastSeq()).isEqualTo(1);

        orchestrator.request(request);
        assertThat(orchestrator.events()).as("a redelivered request is still recognised").isEmpty();
        assertTheNextJobCompletes();
    }

    @Test
    void aFailedResultsLongErrorIsCutBeforeItIsCopiedIntoTheEvents() {
        String jobId = newJobId();
        orchestrator.request(request(jobId, wasm(1, "chatty")));

        orchestrator.result(Results.failed(single(orchestrator.wasmCommands()), FailureKind.MODULE_FAILED,
                "e".repeat(900_000), null, null, 10, orchestrator.clock.instant()));

        StepFailed failed = (StepFailed) orchestrator.events().get(2);
        assertThat(failed.error()).endsWith(StepStreams.TRUNCATED).hasSizeLessThanOrEqualTo(
                StepFinished.MAX_ERROR_JSON_BYTES);
        assertThat(failed.failureKind()).isEqualTo(FailureKind.MODULE_FAILED);
    }

    private void assertTheNextJobCompletes() {
        String next = newJobId();
        orchestrator.request(request(next, wasm(1, "upper")));
        orchestrator.result(succeeded(single(orchestrator.wasmCommands()), text("FINE")));
        assertThat(last(orchestrator.events())).isInstanceOfSatisfying(JobCompleted.class,
                done -> assertThat(done.jobId()).isEqualTo(next));
    }

    static WasmStep withConfig(WasmStep step, int bytes) {
        return new WasmStep(step.stepOrder(), step.workflowStepId(), step.moduleId(), step.moduleName(), step.sha256(),
                JsonSerde.mapper().createObjectNode().put("blob", "c".repeat(bytes)));
    }

    private StepResult succeeded(StepCommand command, JsonNode output) {
        return Results.succeeded(command, output, null, null, 10, orchestrator.clock.instant());
    }

    private static <T> T single(List<T> values) {
        assertThat(values).hasSize(1);
        return values.get(0);
    }

    private static <T> T last(List<T> values) {
        return values.get(values.size() - 1);
    }
}
