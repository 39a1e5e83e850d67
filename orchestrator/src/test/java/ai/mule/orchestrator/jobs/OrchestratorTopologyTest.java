package ai.mule.orchestrator.jobs;

import static ai.mule.orchestrator.TestJobs.agent;
import static ai.mule.orchestrator.TestJobs.newJobId;
import static ai.mule.orchestrator.TestJobs.prompt;
import static ai.mule.orchestrator.TestJobs.request;
import static ai.mule.orchestrator.TestJobs.text;
import static ai.mule.orchestrator.TestJobs.threeMixedSteps;
import static ai.mule.orchestrator.TestJobs.wasm;
import static org.assertj.core.api.Assertions.assertThat;

import ai.mule.orchestrator.Results;
import ai.mule.schemas.FailureKind;
import ai.mule.schemas.JobEvent;
import ai.mule.schemas.JobEvent.JobCancelled;
import ai.mule.schemas.JobEvent.JobCompleted;
import ai.mule.schemas.JobEvent.JobFailed;
import ai.mule.schemas.JobEvent.JobStarted;
import ai.mule.schemas.JobEvent.StepCompleted;
import ai.mule.schemas.JobEvent.StepFailed;
import ai.mule.schemas.JobEvent.StepStarted;
import ai.mule.schemas.JobRequest;
import ai.mule.schemas.JobStatus;
import ai.mule.schemas.JsonSerde;
import ai.mule.schemas.Limits;
import ai.mule.schemas.StepCommand;
import ai.mule.schemas.StepResult;
import ai.mule.schemas.Topics;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OrchestratorTopologyTest extends TopologyTestBase {

    @Test
    void allFourInputsMeetInOneSubTopologyWithoutRepartitioning() {
        TopologyDescription description = OrchestratorTopology.build(new StreamsBuilder(), orchestrator.clock,
                orchestrator.properties, orchestrator.limits).describe();

        assertThat(description.subtopologies()).singleElement().satisfies(subtopology ->
                assertThat(subtopology.nodes()).filteredOn(TopologyDescription.Source.class::isInstance)
                        .flatExtracting(node -> ((TopologyDescription.Source) node).topicSet())
                        .containsExactlyInAnyOrder(Topics.JOB_REQUESTS.name(), Topics.STEP_RESULTS.name(),
                                Topics.STEPS_STARTED.name(), Topics.JOB_CONTROL.name()));
    }

    @Test
    void newJobStartsItsFirstStepWithTheJobInput() {
        String jobId = newJobId();
        JobRequest request = threeMixedSteps(jobId);

        orchestrator.request(request);

        List<JobEvent> events = orchestrator.events();
        assertThat(events).hasSize(2);
        JobStarted started = (JobStarted) events.get(0);
        assertThat(started.seq()).isEqualTo(1);
        assertThat(started.workflowName()).isEqualTo("test-workflow");
        assertThat(started.stepCount()).isEqualTo(3);
        StepStarted step = (StepStarted) events.get(1);
        assertThat(step.seq()).isEqualTo(2);
        assertThat(step.step().stepIndex()).isZero();
        assertThat(step.step().stepOrder()).isEqualTo(10);
        assertThat(step.step().attempt()).isEqualTo(1);
        assertThat(step.input()).isEqualTo(prompt("hello"));

        StepCommand command = orchestrator.wasmCommands().get(0);
        assertThat(command.jobId()).isEqualTo(jobId);
        assertThat(command.stepIndex()).isZero();
        assertThat(command.attempt()).isEqualTo(1);
        assertThat(command.step()).isEqualTo(request.steps().get(0));
        assertThat(command.input()).isEqualTo(prompt("hello"));
        assertThat(orchestrator.agentCommands()).isEmpty();

        JobState state = orchestrator.state(jobId);
        assertThat(state.status()).isEqualTo(JobStatus.RUNNING);
        assertThat(state.progress().stepIndex()).isZero();
        assertThat(state.progress().lastSeq()).isEqualTo(2);
    }

    @Test
    void threeStepsChainEachOutputIntoTheNextInputAndRouteToTheirRunners() {
        String jobId = newJobId();
        orchestrator.request(threeMixedSteps(jobId));

        StepCommand first = single(orchestrator.wasmCommands());
        orchestrator.result(succeeded(first, "HELLO"));
        StepCommand second = single(orchestrator.agentCommands());
        orchestrator.result(succeeded(second, "a poem"));
        StepCommand third = single(orchestrator.wasmCommands());
        orchestrator.result(succeeded(third, "meop a"));

        assertThat(second.stepIndex()).isEqualTo(1);
        assertThat(second.step().stepOrder()).isEqualTo(20);
        assertThat(second.input()).isEqualTo(prompt("HELLO"));
        assertThat(third.stepIndex()).isEqualTo(2);
        assertThat(third.input()).isEqualTo(prompt("a poem"));
        assertThat(orchestrator.commands()).isEmpty();

        List<JobEvent> events = orchestrator.events();
        assertThat(events).extracting(e -> e.getClass().getSimpleName()).containsExactly(
                "JobStarted", "StepStarted", "StepCompleted", "StepStarted", "StepCompleted", "StepStarted",
                "StepCompleted", "JobCompleted");
        assertThat(events).extracting(JobEvent::seq).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);
        StepCompleted agentDone = (StepCompleted) events.get(4);
        assertThat(agentDone.step().stepOrder()).isEqualTo(20);
        assertThat(agentDone.output()).isEqualTo(text("a poem"));
        assertThat(agentDone.durationMicros()).isEqualTo(1234);
        assertThat(((JobCompleted) events.get(7)).output()).isEqualTo(prompt("meop a"));

        JobState state = orchestrator.state(jobId);
        assertThat(state.status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(state.progress().finishedAt()).isEqualTo(orchestrator.clock.instant());
        assertThat(state.progress().lastSeq()).isEqualTo(8);
        // kept for the retention only to recognise late messages: none of the job's data stays with it
        assertThat(state.snapshot().steps()).isEmpty();
        assertThat(state.progress().stepInput()).isNull();
        assertThat(state.snapshot().jobId()).isEqualTo(jobId);
    }

    @Test
    void aFailedStepFailsTheJobNamingItsStepOrder() {
        String jobId = newJobId();
        orchestrator.request(threeMixedSteps(jobId));
        orchestrator.result(succeeded(single(orchestrator.wasmCommands()), "HELLO"));

        orchestrator.result(failed(single(orchestrator.agentCommands()), "provider said 401"));

        List<JobEvent> events = orchestrator.events();
        assertThat(events).hasSize(6);
        StepFailed stepFailed = (StepFailed) events.get(4);
        assertThat(stepFailed.seq()).isEqualTo(5);
        assertThat(stepFailed.step().stepIndex()).isEqualTo(1);
        assertThat(stepFailed.error()).isEqualTo("provider said 401");
        JobFailed jobFailed = (JobFailed) events.get(5);
        assertThat(jobFailed.seq()).isEqualTo(6);
        assertThat(jobFailed.error()).isEqualTo("step 20 failed: provider said 401");
        assertThat(orchestrator.commands()).isEmpty();
        assertThat(orchestrator.state(jobId).status()).isEqualTo(JobStatus.FAILED);
    }

    @Test
    void aFailureWithoutAReasonStillSaysWhichStepFailed() {
        String jobId = newJobId();
        orchestrator.request(request(jobId, agent(1, "solo")));

        orchestrator.result(failed(single(orchestrator.agentCommands()), null));

        assertThat(last(orchestrator.events())).isInstanceOfSatisfying(JobFailed.class,
                failed -> assertThat(failed.error()).isEqualTo("step 1 failed: no reason given"));
    }

    @Test
    void aDuplicateRequestChangesNothing() {
        String jobId = newJobId();
        JobRequest request = threeMixedSteps(jobId);
        orchestrator.request(request);
        orchestrator.events();
        orchestrator.wasmCommands();

        orchestrator.request(request);

        assertThat(orchestrator.events()).isEmpty();
        assertThat(orchestrator.commands()).isEmpty();
        assertThat(orchestrator.state(jobId).progress().lastSeq()).isEqualTo(2);
    }

    @Test
    void aDuplicateResultChangesNothing() {
        String jobId = newJobId();
        orchestrator.request(threeMixedSteps(jobId));
        StepResult result = succeeded(single(orchestrator.wasmCommands()), "HELLO");
        orchestrator.result(result);
        orchestrator.events();
        orchestrator.commands();

        orchestrator.result(result);

        assertThat(orchestrator.events()).isEmpty();
        assertThat(orchestrator.commands()).isEmpty();
        JobState state = orchestrator.state(jobId);
        assertThat(state.progress().stepIndex()).isEqualTo(1);
        assertThat(state.progress().lastSeq()).isEqualTo(4);
    }

    @Test
    void resultsForAnotherStepOrAttemptAreStaleAndDropped() {
        String jobId = newJobId();
        orchestrator.request(threeMixedSteps(jobId));
        StepCommand first = single(orchestrator.wasmCommands());
        orchestrator.events();

        orchestrator.result(Results.succeededFor(jobId, 1, 1, text("too early")));
        orchestrator.result(Results.succeededFor(jobId, 0, 2, text("other attempt")));

        assertThat(orchestrator.events()).isEmpty();
        assertThat(orchestrator.commands()).isEmpty();
        orchestrator.result(succeeded(first, "HELLO"));
        assertThat(orchestrator.events()).extracting(JobEvent::seq).containsExactly(3L, 4L);
    }

    @Test
    void aResultForAnUnknownJobIsDropped() {
        String jobId = newJobId();

        orchestrator.result(Results.succeededFor(jobId, 0, 1, text("orphan")));

        assertThat(orchestrator.events()).isEmpty();
        assertThat(orchestrator.commands()).isEmpty();
        assertThat(orchestrator.state(jobId)).isNull();
    }

    @Test
    void cancellingARunningJobCancelsItAndItsLateResultIsDropped() {
        String jobId = newJobId();
        orchestrator.request(threeMixedSteps(jobId));
        StepCommand running = single(orchestrator.wasmCommands());
        orchestrator.events();

        orchestrator.cancel(jobId);

        JobCancelled cancelled = (JobCancelled) single(orchestrator.events());
        assertThat(cancelled.seq()).isEqualTo(3);
        assertThat(cancelled.reason()).isEqualTo("user asked");
        assertThat(orchestrator.state(jobId).status()).isEqualTo(JobStatus.CANCELLED);

        orchestrator.result(succeeded(running, "HELLO"));

        assertThat(orchestrator.events()).isEmpty();
        assertThat(orchestrator.commands()).isEmpty();
        assertThat(orchestrator.state(jobId).status()).isEqualTo(JobStatus.CANCELLED);
    }

    @Test
    void cancellingAFinishedJobChangesNothing() {
        String jobId = newJobId();
        orchestrator.request(request(jobId, wasm(1, "upper")));
        orchestrator.result(succeeded(single(orchestrator.wasmCommands()), "HELLO"));
        orchestrator.events();

        orchestrator.cancel(jobId);

        assertThat(orchestrator.events()).isEmpty();
        assertThat(orchestrator.state(jobId).status()).isEqualTo(JobStatus.COMPLETED);
    }

    @Test
    void aCancelThatOvertakesItsRequestKeepsTheJobFromRunning() {
        String jobId = newJobId();

        orchestrator.cancel(jobId);
        orchestrator.request(threeMixedSteps(jobId));

        JobCancelled cancelled = (JobCancelled) single(orchestrator.events());
        assertThat(cancelled.seq()).isEqualTo(1);
        assertThat(orchestrator.commands()).isEmpty();
        assertThat(orchestrator.state(jobId).status()).isEqualTo(JobStatus.CANCELLED);
    }

    @Test
    void seqCountsEveryEventOfAJobWithoutGapsAcrossCommandKinds() {
        String jobId = newJobId();
        String otherJob = newJobId();
        orchestrator.request(threeMixedSteps(jobId));
        orchestrator.request(threeMixedSteps(otherJob));
        StepCommand first = orchestrator.wasmCommands().get(0);
        orchestrator.result(succeeded(first, "HELLO"));
        orchestrator.result(succeeded(first, "HELLO")); // duplicate: no seq consumed
        orchestrator.cancel(jobId);

        List<JobEvent> events = orchestrator.events();
        assertThat(events).filteredOn(e -> e.jobId().equals(jobId)).extracting(JobEvent::seq)
                .containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(events).filteredOn(e -> e.jobId().equals(otherJob)).extracting(JobEvent::seq)
                .containsExactly(1L, 2L);
    }

    @Test
    void anUnreadableRecordIsSkippedAndTheStreamGoesOn() {
        String jobId = newJobId();
        orchestrator.request(threeMixedSteps(jobId));
        StepCommand first = single(orchestrator.wasmCommands());
        orchestrator.events();

        orchestrator.rawResult(jobId, "this is not JSON");
        orchestrator.rawResult(jobId, "{\"job_id\": 42, \"step_index\": \"first\"}");
        orchestrator.result(succeeded(first, "HELLO"));

        assertThat(orchestrator.events()).extracting(JobEvent::seq).containsExactly(3L, 4L);
        assertThat(single(orchestrator.agentCommands()).input()).isEqualTo(prompt("HELLO"));
    }

    @Test
    void aCommandThatCannotBeAppliedIsSkippedAndTheStreamGoesOn() {
        String broken = newJobId();
        String healthy = newJobId();

        // readable, but its step list holds a null the state cannot take
        orchestrator.rawRequest(broken, "{\"version\": 1, \"job_id\": \"" + broken + "\", \"steps\": [null]}");
        orchestrator.request(threeMixedSteps(healthy));

        assertThat(orchestrator.events()).extracting(JobEvent::jobId).containsOnly(healthy);
        assertThat(orchestrator.state(broken)).isNull();
        assertThat(single(orchestrator.wasmCommands()).jobId()).isEqualTo(healthy);
    }

    @Test
    void aRecordKeyedByAnotherJobIsDropped() {
        String jobId = newJobId();
        orchestrator.request(threeMixedSteps(jobId));
        StepCommand first = single(orchestrator.wasmCommands());
        orchestrator.events();

        orchestrator.resultKeyed(newJobId(), succeeded(first, "HELLO"));

        assertThat(orchestrator.events()).isEmpty();
        assertThat(orchestrator.state(jobId).progress().stepIndex()).isZero();
    }

    @Test
    void aJobWithoutStepsFailsAtOnce() {
        String jobId = newJobId();

        orchestrator.request(request(jobId));

        JobFailed failed = (JobFailed) single(orchestrator.events());
        assertThat(failed.seq()).isEqualTo(1);
        assertThat(failed.error()).isEqualTo("the job has no steps to run");
        assertThat(orchestrator.commands()).isEmpty();
    }

    @Test
    void anOutputTooLargeToCarryOnFailsItsStep(@TempDir Path otherStateDir) {
        try (OrchestratorDriver small = new OrchestratorDriver(otherStateDir,
                new Limits(1_000_000, 64, 1024, 1024, 1024, 100))) {
            String jobId = newJobId();
            small.request(threeMixedSteps(jobId));

            small.result(succeeded(single(small.wasmCommands()), "x".repeat(200)));

            List<JobEvent> events = small.events();
            assertThat(events.get(events.size() - 2)).isInstanceOf(StepFailed.class);
            assertThat(last(events)).isInstanceOfSatisfying(JobFailed.class, failed -> assertThat(failed.error())
                    .isEqualTo("step 10 failed: the step output is 202 bytes as JSON, over the limit of 100 "
                            + "bytes (mule.limits.max-step-output-bytes)"));
            assertThat(((StepFailed) events.get(events.size() - 2)).failureKind()).isEqualTo(FailureKind.LIMIT_EXCEEDED);
            assertThat(small.commands()).isEmpty();
        }
    }

    /** 999 levels still read as a result (1000 with its envelope), but no longer fit in the next state or command. */
    @ParameterizedTest
    @ValueSource(ints = {65, 998, 999})
    void anOutputNestedTooDeepFailsItsStepAndTheNextJobStillRuns(int depth) {
        String deep = newJobId();
        String next = newJobId();
        orchestrator.request(request(deep, wasm(1, "nest"), wasm(2, "upper")));

        orchestrator.result(Results.succeeded(single(orchestrator.wasmCommands()), nested(depth), null, null, 40,
                orchestrator.clock.instant()));

        List<JobEvent> events = orchestrator.events();
        assertThat(events).extracting(e -> e.getClass().getSimpleName())
                .containsExactly("JobStarted", "StepStarted", "StepFailed", "JobFailed");
        assertThat(events.get(2)).isInstanceOfSatisfying(StepFailed.class,
                failed -> assertThat(failed.failureKind()).isEqualTo(FailureKind.LIMIT_EXCEEDED));
        assertThat(last(events)).isInstanceOfSatisfying(JobFailed.class, failed -> assertThat(failed.error())
                .startsWith("step 1 failed: the step output nests deeper than the limit of 64 levels")
                .contains("mule.limits.max-json-depth"));
        assertThat(orchestrator.commands()).isEmpty();
        assertThat(orchestrator.state(deep).status()).isEqualTo(JobStatus.FAILED);

        orchestrator.request(request(next, wasm(1, "upper")));
        orchestrator.result(succeeded(single(orchestrator.wasmCommands()), "FINE"));
        assertThat(last(orchestrator.events())).isInstanceOf(JobCompleted.class);
    }

    @Test
    void finishedJobsAreForgottenAfterTheirRetentionAndRunningOnesAreKept() {
        String finished = newJobId();
        String running = newJobId();
        orchestrator.request(request(finished, wasm(1, "upper")));
        orchestrator.request(threeMixedSteps(running));
        StepCommand finishedStep = orchestrator.wasmCommands().get(0);
        orchestrator.result(succeeded(finishedStep, "HELLO"));
        assertThat(orchestrator.finishedIndexSize()).isOne();
        try (var legacy = orchestrator.legacyFinishedIndex().all()) {
            assertThat(legacy.hasNext()).as("indexed in job-timers, whose changelog the job's transaction writes anyway")
                    .isFalse();
        }

        orchestrator.advance(Duration.ofHours(23));
        assertThat(orchestrator.state(finished)).isNotNull();

        orchestrator.advance(Duration.ofHours(1).plusMinutes(1));
        assertThat(orchestrator.state(finished)).isNull();
        assertThat(orchestrator.finishedIndexSize()).isZero();
        assertThat(orchestrator.state(running).status()).isEqualTo(JobStatus.RUNNING);
    }

    @Test
    void jobsThatAnEarlierVersionIndexedInFinishedJobsAreForgottenToo() {
        String finished = newJobId();
        orchestrator.request(request(finished, wasm(1, "upper")));
        orchestrator.result(succeeded(single(orchestrator.wasmCommands()), "HELLO"));
        // as a deployment that ran an earlier version holds it: the entry in finished-jobs, none in job-timers
        String key = JobProcessor.timeKey(orchestrator.state(finished).progress().finishedAt(), finished);
        KeyValueStore<String, String> timers = orchestrator.timers();
        assertThat(timers.delete(FinishedJobs.PREFIX + key)).isEqualTo(finished);
        orchestrator.legacyFinishedIndex().put(key, finished);

        orchestrator.advance(Duration.ofHours(23));
        assertThat(orchestrator.state(finished)).isNotNull();

        orchestrator.advance(Duration.ofHours(1).plusMinutes(1));
        assertThat(orchestrator.state(finished)).isNull();
        assertThat(orchestrator.legacyFinishedIndex().get(key)).isNull();
        assertThat(orchestrator.finishedIndexSize()).isZero();
    }

    @Test
    void stepEventsCarryWhatTheModuleWroteToStdoutAndStderr() {
        String completedJob = newJobId();
        String failedJob = newJobId();
        orchestrator.request(request(completedJob, wasm(1, "upper")));
        orchestrator.request(request(failedJob, wasm(1, "require-prompt")));
        List<StepCommand> commands = orchestrator.wasmCommands();
        Instant now = orchestrator.clock.instant();

        orchestrator.result(Results.succeeded(commands.get(0), text("HELLO"), "{\"message\":\"HELLO\"}",
                "upper: 5 bytes\n", 40, now));
        orchestrator.result(Results.failed(commands.get(1), FailureKind.MODULE_FAILED,
                "module returned success: false: no prompt", "{\"success\":false}", "missing prompt\n", 30, now));

        List<JobEvent> events = orchestrator.events();
        assertThat(events).filteredOn(e -> e.jobId().equals(completedJob)).filteredOn(StepCompleted.class::isInstance)
                .singleElement().isInstanceOfSatisfying(StepCompleted.class, done -> {
                    assertThat(done.stdout()).isEqualTo("{\"message\":\"HELLO\"}");
                    assertThat(done.stderr()).isEqualTo("upper: 5 bytes\n");
                });
        assertThat(events).filteredOn(e -> e.jobId().equals(failedJob)).filteredOn(StepFailed.class::isInstance)
                .singleElement().isInstanceOfSatisfying(StepFailed.class, failed -> {
                    assertThat(failed.stdout()).isEqualTo("{\"success\":false}");
                    assertThat(failed.stderr()).isEqualTo("missing prompt\n");
                });
    }

    @Test
    void oversizedStreamsAreCutWithAMarkerSoTheEventStaysWithinItsLimit() throws Exception {
        String jobId = newJobId();
        orchestrator.request(request(jobId, wasm(1, "upper")));
        String stdout = "é".repeat(100_000);            // 200,000 bytes of UTF-8
        String stderr = "\u0001".repeat(20_000);       // 120,000 bytes once escaped in JSON
        String fits = "a".repeat(StepStreams.MAX_JSON_BYTES);

        orchestrator.result(Results.succeeded(single(orchestrator.wasmCommands()), text("HELLO"), stdout, stderr,
                40, orchestrator.clock.instant()));

        StepCompleted done = (StepCompleted) orchestrator.events().get(2);
        assertThat(done.stdout()).endsWith(StepStreams.TRUNCATED).startsWith("éééé");
        assertThat(stdout).startsWith(done.stdout().substring(0, done.stdout().length() - StepStreams.TRUNCATED.length()));
        assertThat(done.stderr()).endsWith(StepStreams.TRUNCATED).startsWith("\u0001\u0001");
        for (String stream : List.of(done.stdout(), done.stderr())) {
            int jsonBytes = JsonSerde.mapper().writeValueAsBytes(stream).length - 2; // without the quotes
            assertThat(jsonBytes).isLessThanOrEqualTo(StepStreams.MAX_JSON_BYTES)
                    .isGreaterThan(StepStreams.MAX_JSON_BYTES - 16);
        }
        assertThat(StepStreams.capped(fits)).isSameAs(fits);
        assertThat(StepStreams.capped(fits + "b")).hasSizeLessThan(fits.length()).endsWith(StepStreams.TRUNCATED);
    }

    /** A JSON array holding an array... {@code depth} levels deep, built without recursion. */
    static JsonNode nested(int depth) {
        ArrayNode outer = JsonSerde.mapper().createArrayNode().add("bottom");
        for (int i = 1; i < depth; i++) {
            outer = JsonSerde.mapper().createArrayNode().add(outer);
        }
        return outer;
    }

    private StepResult succeeded(StepCommand command, String output) {
        return Results.succeeded(command, text(output), "{}", "", 1234, orchestrator.clock.instant());
    }

    private StepResult failed(StepCommand command, String error) {
        return Results.failed(command, FailureKind.INTERNAL, error, "", "trace", 99, orchestrator.clock.instant());
    }

    private static <T> T single(List<T> values) {
        assertThat(values).hasSize(1);
        return values.get(0);
    }

    private static <T> T last(List<T> values) {
        return values.get(values.size() - 1);
    }
}
