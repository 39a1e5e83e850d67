package ai.mule.orchestrator.jobs;

import static ai.mule.orchestrator.TestJobs.agent;
import static ai.mule.orchestrator.TestJobs.newJobId;
import static ai.mule.orchestrator.TestJobs.prompt;
import static ai.mule.orchestrator.TestJobs.request;
import static ai.mule.orchestrator.TestJobs.text;
import static ai.mule.orchestrator.TestJobs.wasm;
import static org.assertj.core.api.Assertions.assertThat;

import ai.mule.orchestrator.Results;
import ai.mule.schemas.FailureKind;
import ai.mule.schemas.JobControl;
import ai.mule.schemas.JobEvent;
import ai.mule.schemas.JobEvent.JobCancelled;
import ai.mule.schemas.JobEvent.JobCompleted;
import ai.mule.schemas.JobEvent.JobFailed;
import ai.mule.schemas.JobEvent.StepFailed;
import ai.mule.schemas.JobEvent.StepRetrying;
import ai.mule.schemas.JobEvent.StepStarted;
import ai.mule.schemas.JobStatus;
import ai.mule.schemas.StepCommand;
import ai.mule.schemas.StepPolicy;
import ai.mule.schemas.StepResult;
import ai.mule.schemas.TokenUsage;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every retry, timeout, deadline and reply transition, in a TopologyTestDriver with a hand-moved clock. */
class RetriesAndTimeoutsTopologyTest extends TopologyTestBase {

    /** 3 attempts, 100 ms then 300 ms between them, 1 s a run. */
    static final StepPolicy QUICK = new StepPolicy(3, 100, 3.0, 10_000, 1_000, false);
    /** The driver's grace past a step's timeout (OrchestratorProperties' default). */
    static final Duration GRACE = Duration.ofSeconds(5);

    @Test
    void aTransientFailureIsRetriedAfterItsBackoffWithTheSameInput() {
        String jobId = newJobId();
        orchestrator.request(request(jobId, wasm(1, "flaky", QUICK), wasm(2, "upper", QUICK)));
        StepCommand first = single(orchestrator.commands());
        orchestrator.events();

        orchestrator.result(failed(first, FailureKind.PROVIDER_UNAVAILABLE, "503 from upstream"));

        StepRetrying retrying = (StepRetrying) single(orchestrator.events());
        assertThat(retrying.seq()).isEqualTo(3);
        assertThat(retrying.step().attempt()).isEqualTo(1);
        assertThat(retrying.error()).isEqualTo("503 from upstream");
        assertThat(retrying.failureKind()).isEqualTo(FailureKind.PROVIDER_UNAVAILABLE);
        assertThat(retrying.durationMicros()).isEqualTo(77);
        assertThat(retrying.retryAt()).isEqualTo(orchestrator.clock.instant().plusMillis(100));
        assertThat(orchestrator.commands()).as("nothing is sent during the backoff").isEmpty();

        orchestrator.advance(Duration.ofMillis(60));
        assertThat(orchestrator.commands()).as("the backoff is not over").isEmpty();

        orchestrator.advance(Duration.ofMillis(60));
        StepCommand second = single(orchestrator.commands());
        assertThat(second.attempt()).isEqualTo(2);
        assertThat(second.stepIndex()).isZero();
        assertThat(second.input()).isEqualTo(first.input());
        StepStarted started = (StepStarted) single(orchestrator.events());
        assertThat(started.step().attempt()).isEqualTo(2);
        assertThat(started.seq()).isEqualTo(4);

        orchestrator.result(failed(second, FailureKind.TIMEOUT, "ran out of time"));
        assertThat(((StepRetrying) single(orchestrator.events())).retryAt())
                .as("the second wait is the first times the multiplier")
                .isEqualTo(orchestrator.clock.instant().plusMillis(300));
        orchestrator.advance(Duration.ofMillis(320));
        StepCommand third = single(orchestrator.commands());
        assertThat(third.attempt()).isEqualTo(3);

        orchestrator.result(succeeded(third, "ok"));
        StepCommand next = single(orchestrator.commands());
        assertThat(next.stepIndex()).isEqualTo(1);
        assertThat(next.attempt()).isEqualTo(1);
        assertThat(next.input()).isEqualTo(prompt("ok"));
        assertThat(orchestrator.events()).extracting(JobEvent::seq).as("no gaps").containsExactly(6L, 7L, 8L);
    }

    @Test
    void aResultOfAnEarlierAttemptIsIgnoredDuringAndAfterTheBackoff() {
        String jobId = newJobId();
        orchestrator.request(request(jobId, wasm(1, "flaky", QUICK)));
        StepCommand first = single(orchestrator.commands());
        orchestrator.result(failed(first, FailureKind.RUNNER_LOST, "gone"));
        orchestrator.events();

        orchestrator.result(succeeded(first, "late"));
        assertThat(orchestrator.events()).isEmpty();

        orchestrator.advance(Duration.ofMillis(150));
        StepCommand second = single(orchestrator.commands());
        orchestrator.events();
        orchestrator.result(succeeded(first, "late again"));
        assertThat(orchestrator.events()).isEmpty();

        orchestrator.result(succeeded(second, "fresh"));
        assertThat(last(orchestrator.events())).isInstanceOfSatisfying(JobCompleted.class,
                done -> assertThat(done.output()).isEqualTo(prompt("fresh")));
    }

    @Test
    void aStepFailureThatIsNotTransientIsNotRetried() {
        String jobId = newJobId();
        orchestrator.request(request(jobId, wasm(4, "strict", QUICK)));
        StepCommand first = single(orchestrator.commands());
        orchestrator.events();

        orchestrator.result(failed(first, FailureKind.MODULE_FAILED, "success: false"));

        List<JobEvent> events = orchestrator.events();
        assertThat(events).hasSize(2);
        assertThat(((StepFailed) events.get(0)).failureKind()).isEqualTo(FailureKind.MODULE_FAILED);
        assertThat(((JobFailed) events.get(1)).error()).isEqualTo("step 4 failed: success: false");
        orchestrator.advance(Duration.ofSeconds(10));
        assertThat(orchestrator.commands()).isEmpty();
    }

    @Test
    void aStepThatSaysRetryStepFailuresRetriesThemButNeverACancel() {
        StepPolicy stubborn = new StepPolicy(2, 0, 1.0, 0, 1_000, true);
        String jobId = newJobId();
        orchestrator.request(request(jobId, wasm(1, "stubborn", stubborn)));
        StepCommand first = single(orchestrator.commands());
        orchestrator.events();

        orchestrator.result(failed(first, FailureKind.TRAP, "unreachable"));

        List<JobEvent> events = orchestrator.events();
        assertThat(events).extracting(e -> e.getClass().getSimpleName())
                .as("a zero backoff sends the next attempt at once").containsExactly("StepRetrying", "StepStarted");
        StepCommand second = single(orchestrator.commands());
        assertThat(second.attempt()).isEqualTo(2);

        orchestrator.result(failed(second, FailureKind.TRAP, "unreachable"));
        assertThat(orchestrator.events()).extracting(e -> e.getClass().getSimpleName())
                .as("max_attempts 2 is used up").containsExactly("StepFailed", "JobFailed");
        assertThat(orchestrator.state(jobId).status()).isEqualTo(JobStatus.FAILED);
    }

    @Test
    void attemptsAreCappedByMaxAttempts() {
        String jobId = newJobId();
        orchestrator.request(request(jobId, wasm(1, "down", QUICK)));
        for (int attempt = 1; attempt <= 3; attempt++) {
            StepCommand command = single(orchestrator.commands());
            assertThat(command.attempt()).isEqualTo(attempt);
            orchestrator.result(failed(command, FailureKind.PROVIDER_RATE_LIMITED, "429"));
            orchestrator.advance(Duration.ofSeconds(1));
        }
        assertThat(orchestrator.commands()).isEmpty();
        List<JobEvent> events = orchestrator.events();
        assertThat(events).filteredOn(StepRetrying.class::isInstance).hasSize(2);
        assertThat(last(events)).isInstanceOfSatisfying(JobFailed.class,
                failed -> assertThat(failed.error()).isEqualTo("step 1 failed: 429"));
        StepFailed stepFailed = (StepFailed) events.get(events.size() - 2);
        assertThat(stepFailed.step().attempt()).isEqualTo(3);
    }

    @Test
    void aStepWithoutAResultByItsTimeoutPlusGraceCountsItsRunnerAsLostAndIsRetried() {
        String jobId = newJobId();
        orchestrator.request(request(jobId, wasm(1, "slow", QUICK)));
        StepCommand first = single(orchestrator.commands());
        orchestrator.events();

        orchestrator.advance(Duration.ofMillis(QUICK.timeoutMs()).plus(GRACE).minusMillis(100));
        assertThat(orchestrator.events()).as("still within timeout plus grace").isEmpty();

        orchestrator.advance(Duration.ofMillis(150));
        StepRetrying lost = (StepRetrying) single(orchestrator.events());
        assertThat(lost.failureKind()).isEqualTo(FailureKind.RUNNER_LOST);
        assertThat(lost.step().attempt()).isEqualTo(1);
        assertThat(lost.error()).contains("no result within 6000 ms");

        orchestrator.advance(Duration.ofMillis(150));
        StepCommand second = single(orchestrator.commands());
        assertThat(second.attempt()).isEqualTo(2);

        orchestrator.result(succeeded(first, "too late"));
        orchestrator.result(succeeded(second, "in time"));
        assertThat(orchestrator.events()).extracting(e -> e.getClass().getSimpleName())
                .containsExactly("StepStarted", "StepCompleted", "JobCompleted");
    }

    @Test
    void aStepLostOnEveryAttemptFailsTheJobAndNothingWaitsForever() {
        StepPolicy once = new StepPolicy(1, 0, 1.0, 0, 500, false);
        String jobId = newJobId();
        orchestrator.request(request(jobId, wasm(7, "black-hole", once)));
        orchestrator.events();

        orchestrator.advance(Duration.ofMillis(500).plus(GRACE).plusMillis(10));

        List<JobEvent> events = orchestrator.events();
        assertThat(((StepFailed) events.get(0)).failureKind()).isEqualTo(FailureKind.RUNNER_LOST);
        assertThat(((JobFailed) events.get(1)).error()).startsWith("step 7 failed: no result within 5500 ms");
        assertThat(orchestrator.state(jobId).status()).isEqualTo(JobStatus.FAILED);
    }

    @Test
    void aJobPastItsDeadlineFailsAndTellsTheRunnersToStopItsStep() {
        String jobId = newJobId();
        Instant deadline = orchestrator.clock.instant().plusMillis(800);
        orchestrator.request(request(jobId, wasm(1, "upper", QUICK), wasm(2, "slow", QUICK)).with(deadline, null));
        orchestrator.result(succeeded(single(orchestrator.commands()), "A"));
        orchestrator.events();
        single(orchestrator.commands());

        orchestrator.advance(Duration.ofMillis(850));

        List<JobEvent> events = orchestrator.events();
        assertThat(events).extracting(e -> e.getClass().getSimpleName()).containsExactly("StepFailed", "JobFailed");
        assertThat(((StepFailed) events.get(0)).failureKind()).isEqualTo(FailureKind.TIMEOUT);
        assertThat(((StepFailed) events.get(0)).step().stepIndex()).isEqualTo(1);
        assertThat(((JobFailed) events.get(1)).error()).startsWith("the job timed out");
        JobControl stop = single(orchestrator.controlsSent());
        assertThat(stop.jobId()).isEqualTo(jobId);
        assertThat(stop.action()).isEqualTo(JobControl.Action.CANCEL);
        assertThat(orchestrator.state(jobId).status()).isEqualTo(JobStatus.FAILED);
        assertThat(orchestrator.events()).as("its own control message, read back, changes nothing").isEmpty();
    }

    @Test
    void aJobWhoseDeadlinePassedBeforeItStartedFailsWithoutRunning() {
        String jobId = newJobId();
        orchestrator.request(request(jobId, wasm(1, "upper")).with(orchestrator.clock.instant().minusSeconds(1), null));

        assertThat(single(orchestrator.events())).isInstanceOf(JobFailed.class);
        assertThat(orchestrator.commands()).isEmpty();
    }

    @Test
    void aCancelDuringTheBackoffEndsTheJobAndTheRetryNeverGoesOut() {
        String jobId = newJobId();
        orchestrator.request(request(jobId, wasm(1, "flaky", QUICK)));
        orchestrator.result(failed(single(orchestrator.commands()), FailureKind.RUNNER_LOST, "gone"));
        orchestrator.events();

        orchestrator.cancel(jobId);
        orchestrator.advance(Duration.ofSeconds(30));

        assertThat(single(orchestrator.events())).isInstanceOf(JobCancelled.class);
        assertThat(orchestrator.commands()).isEmpty();
        assertThat(orchestrator.state(jobId).status()).isEqualTo(JobStatus.CANCELLED);
    }

    @Test
    void aCancelledJobIsNeverTimedOutLater() {
        String jobId = newJobId();
        orchestrator.request(request(jobId, wasm(1, "slow", QUICK)).with(orchestrator.clock.instant().plusSeconds(1),
                null));
        orchestrator.cancel(jobId);
        orchestrator.events();

        orchestrator.advance(Duration.ofSeconds(60));

        assertThat(orchestrator.events()).isEmpty();
        assertThat(orchestrator.controlsSent()).extracting(JobControl::reason).doesNotContain("the job timed out");
    }

    @Test
    void theTerminalEventOfAJobWithAReplyTopicIsCopiedThere() {
        String jobId = newJobId();
        orchestrator.request(request(jobId, wasm(1, "upper")).with(null, "orders.replies"));
        orchestrator.result(succeeded(single(orchestrator.commands()), "DONE"));

        JobEvent reply = single(orchestrator.replies("orders.replies"));
        assertThat(reply).isInstanceOfSatisfying(JobCompleted.class, done -> {
            assertThat(done.jobId()).isEqualTo(jobId);
            assertThat(done.output()).isEqualTo(prompt("DONE"));
        });
        assertThat(last(orchestrator.events())).isEqualTo(reply);
    }

    @Test
    void aJobWithoutAReplyTopicRepliesNowhere() {
        String jobId = newJobId();
        orchestrator.request(request(jobId, wasm(1, "upper")));
        orchestrator.result(failed(single(orchestrator.commands()), FailureKind.TRAP, "boom"));

        assertThat(orchestrator.replies("orders.replies")).isEmpty();
        assertThat(last(orchestrator.events())).isInstanceOf(JobFailed.class);
    }

    @Test
    void aJobHasOneTimerMovedOnlyEarlierAndDeletedWhenItEnds() {
        String first = newJobId();
        String second = newJobId();
        orchestrator.request(request(first, wasm(1, "a", QUICK), wasm(2, "b", QUICK)));
        orchestrator.request(request(second, wasm(1, "a", QUICK)));
        List<String> started = orchestrator.timerKeys();
        assertThat(started).hasSize(2);

        List<StepCommand> commands = orchestrator.commands();
        orchestrator.advance(Duration.ofMillis(10));
        orchestrator.result(succeeded(commands.get(0), "A"));
        assertThat(orchestrator.timerKeys()).as("the next step's deadline is later: the timer stays, unwritten")
                .isEqualTo(started);
        orchestrator.result(failed(single(orchestrator.commands()), FailureKind.RUNNER_LOST, "gone"));
        Instant retryAt = orchestrator.state(first).progress().retryAt();
        assertThat(orchestrator.timerKeys()).as("moved to the retry's time, which is earlier")
                .containsExactlyInAnyOrder(timerOf(started, second), JobProcessor.timeKey(retryAt, first));

        orchestrator.cancel(second);
        assertThat(orchestrator.timerKeys()).containsExactly(JobProcessor.timeKey(retryAt, first));
        orchestrator.advance(Duration.ofMillis(150));
        orchestrator.result(succeeded(single(orchestrator.commands()), "B"));
        assertThat(orchestrator.state(first).status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(orchestrator.timerKeys()).isEmpty();
        assertThat(orchestrator.finishedIndexSize()).isEqualTo(2);
    }

    @Test
    void anEarlyTimerWakesTheJobForNothingAndTheLaterDeadlineStillCounts() {
        String jobId = newJobId();
        orchestrator.request(request(jobId, wasm(1, "a", QUICK), wasm(2, "b", QUICK)));
        String firstTimer = single(orchestrator.timerKeys());
        orchestrator.advance(Duration.ofSeconds(3));
        orchestrator.result(succeeded(single(orchestrator.commands()), "A"));
        StepCommand second = single(orchestrator.commands());
        Instant secondDeadline = orchestrator.state(jobId).progress().stepDeadline();
        assertThat(single(orchestrator.timerKeys())).isEqualTo(firstTimer);
        orchestrator.events();

        orchestrator.advance(Duration.ofMillis(QUICK.timeoutMs()).plus(GRACE).minusSeconds(3).plusMillis(50));
        assertThat(orchestrator.events()).as("the first step's deadline passed, but the second step's has not")
                .isEmpty();
        assertThat(orchestrator.timerKeys()).as("indexed again at the second step's deadline")
                .containsExactly(JobProcessor.timeKey(secondDeadline, jobId));

        orchestrator.advance(Duration.ofSeconds(3));
        StepRetrying lost = (StepRetrying) single(orchestrator.events());
        assertThat(lost.failureKind()).isEqualTo(FailureKind.RUNNER_LOST);
        assertThat(lost.step().stepIndex()).isEqualTo(second.stepIndex());
    }

    private static String timerOf(List<String> keys, String jobId) {
        return keys.stream().filter(key -> key.endsWith(":" + jobId)).findFirst().orElseThrow();
    }

    @Test
    void theTokensEachStepReportedAreSummedIntoTheJobsCompletion() {
        String jobId = newJobId();
        orchestrator.request(request(jobId, agent(1, "a"), wasm(2, "upper"), agent(3, "b")));
        orchestrator.result(Results.succeeded(single(orchestrator.commands()), text("x"), null, null, 5,
                orchestrator.clock.instant(), new TokenUsage(10, 5, 15)));
        orchestrator.result(succeeded(single(orchestrator.commands()), "X"));
        orchestrator.result(Results.succeeded(single(orchestrator.commands()), text("y"), null, null, 5,
                orchestrator.clock.instant(), new TokenUsage(1, 2, 3)));

        List<JobEvent> events = orchestrator.events();
        assertThat(((JobEvent.StepCompleted) events.get(2)).usage()).isEqualTo(new TokenUsage(10, 5, 15));
        assertThat(last(events)).isInstanceOfSatisfying(JobCompleted.class,
                done -> assertThat(done.usage()).isEqualTo(new TokenUsage(11, 7, 18)));
    }

    private StepResult succeeded(StepCommand command, String output) {
        return Results.succeeded(command, text(output), "{}", "", 55, orchestrator.clock.instant());
    }

    private StepResult failed(StepCommand command, FailureKind kind, String error) {
        return Results.failed(command, kind, error, "", "", 77, orchestrator.clock.instant());
    }

    private static <T> T single(List<T> values) {
        assertThat(values).hasSize(1);
        return values.get(0);
    }

    private static <T> T last(List<T> values) {
        return values.get(values.size() - 1);
    }
}
