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
import ai.mule.schemas.JobEvent.StepRetrying;
import ai.mule.schemas.StepCommand;
import ai.mule.schemas.StepPolicy;
import ai.mule.schemas.StepResult;
import ai.mule.schemas.StepStarted;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Step deadlines: every command carries the one the orchestrator set, and a runner that reports a late start
 * ({@code mule.steps.started}) moves it, so time spent queued is not taken for a lost runner.
 */
class StepDeadlinesTopologyTest extends TopologyTestBase {

    /** 3 attempts, 100 ms between them, 1 s a run. */
    static final StepPolicy QUICK = new StepPolicy(3, 100, 1.0, 10_000, 1_000, false);
    /** The driver's grace past a step's timeout (OrchestratorProperties' default). */
    static final Duration GRACE = Duration.ofSeconds(5);
    static final Duration TIMEOUT_PLUS_GRACE = Duration.ofMillis(QUICK.timeoutMs()).plus(GRACE);

    @Test
    void everyCommandCarriesTheDeadlineItsAttemptIsAwaitedUntilRetriesToo() {
        String jobId = newJobId();
        orchestrator.request(request(jobId, wasm(1, "flaky", QUICK), wasm(2, "upper", QUICK)));
        StepCommand first = single(orchestrator.commands());
        orchestrator.result(Results.failed(first, FailureKind.PROVIDER_UNAVAILABLE, "503", null, null, 5,
                orchestrator.clock.instant()));
        orchestrator.advance(Duration.ofMillis(120));
        StepCommand retry = single(orchestrator.commands());
        orchestrator.result(succeeded(retry, "ok"));
        StepCommand second = single(orchestrator.commands());

        for (StepCommand command : List.of(first, retry, second)) {
            assertThat(command.deadline()).isEqualTo(command.issuedAt().plus(TIMEOUT_PLUS_GRACE));
        }
        assertThat(retry.attempt()).isEqualTo(2);
        assertThat(orchestrator.state(jobId).progress().stepDeadline()).isEqualTo(second.deadline());
    }

    @Test
    void aStepWhoseRunnerReportsALateStartIsNotLostAndOneThatNeverReportsIs() {
        String queued = newJobId();
        String silent = newJobId();
        orchestrator.request(request(queued, wasm(1, "slow", QUICK)));
        orchestrator.request(request(silent, wasm(1, "slow", QUICK)));
        List<StepCommand> commands = orchestrator.commands();
        StepCommand queuedCommand = commands.get(0);
        orchestrator.events();

        // the command waited in the runner's queue for 5.5 s, then the runner started it and said so
        orchestrator.advance(Duration.ofMillis(5_500));
        Instant startedAt = orchestrator.clock.instant();
        orchestrator.started(StepStarted.of(queuedCommand, startedAt));
        assertThat(orchestrator.state(queued).progress().stepDeadline()).isEqualTo(startedAt.plus(TIMEOUT_PLUS_GRACE));

        orchestrator.advance(Duration.ofMillis(600)); // past the first deadline: only the silent one is lost
        assertThat(orchestrator.events()).singleElement().isInstanceOfSatisfying(StepRetrying.class, lost -> {
            assertThat(lost.jobId()).isEqualTo(silent);
            assertThat(lost.failureKind()).isEqualTo(FailureKind.RUNNER_LOST);
        });
        orchestrator.advance(Duration.ofMillis(4_000));
        assertThat(orchestrator.events()).filteredOn(e -> e.jobId().equals(queued)).isEmpty();

        orchestrator.result(succeeded(queuedCommand, "finally"));
        assertThat(orchestrator.events()).filteredOn(e -> e.jobId().equals(queued)).last()
                .isInstanceOf(JobCompleted.class);
    }

    @Test
    void aStartReportedAfterTheDeadlineStillLosesTheAttemptOnceItWasDeclaredLost() {
        String jobId = newJobId();
        orchestrator.request(request(jobId, wasm(1, "slow", QUICK)));
        StepCommand first = single(orchestrator.commands());
        orchestrator.advance(TIMEOUT_PLUS_GRACE.plusMillis(50));
        orchestrator.events();

        orchestrator.started(StepStarted.of(first, orchestrator.clock.instant()));

        assertThat(orchestrator.events()).isEmpty();
        JobState state = orchestrator.state(jobId);
        assertThat(state.waitsForRetry()).isTrue();
        assertThat(state.progress().attempt()).isEqualTo(2);
    }

    @Test
    void staleDuplicateAndEarlyReportsChangeNothing() {
        String jobId = newJobId();
        orchestrator.request(request(jobId, wasm(1, "slow", QUICK)));
        StepCommand first = single(orchestrator.commands());
        Instant deadline = orchestrator.state(jobId).progress().stepDeadline();
        long timers = orchestrator.timerCount();

        // another attempt, another step, and a start no later than the command's own issue time
        orchestrator.started(new StepStarted(1, jobId, 0, 2, orchestrator.clock.instant().plusSeconds(2)));
        orchestrator.started(new StepStarted(1, jobId, 1, 1, orchestrator.clock.instant().plusSeconds(2)));
        orchestrator.started(StepStarted.of(first, first.issuedAt()));
        assertThat(orchestrator.state(jobId).progress().stepDeadline()).isEqualTo(deadline);

        orchestrator.advance(Duration.ofSeconds(2));
        StepStarted late = StepStarted.of(first, orchestrator.clock.instant());
        orchestrator.started(late);
        orchestrator.started(late);
        assertThat(orchestrator.state(jobId).progress().stepDeadline()).isEqualTo(late.startedAt().plus(TIMEOUT_PLUS_GRACE));
        assertThat(orchestrator.timerCount()).as("the timer moved, it was not added").isEqualTo(timers);
        assertThat(orchestrator.events()).extracting(e -> e.getClass().getSimpleName())
                .as("a start report is no job event").containsExactly("JobStarted", "StepStarted");
    }

    @Test
    void aRunnerClockAheadOfTheOrchestratorsBuysNoMoreThanTheTimeout() {
        String jobId = newJobId();
        orchestrator.request(request(jobId, wasm(1, "slow", QUICK)));
        StepCommand first = single(orchestrator.commands());
        orchestrator.advance(Duration.ofSeconds(3));

        orchestrator.started(StepStarted.of(first, orchestrator.clock.instant().plus(Duration.ofHours(1))));

        assertThat(orchestrator.state(jobId).progress().stepDeadline())
                .isEqualTo(orchestrator.clock.instant().plus(TIMEOUT_PLUS_GRACE));
    }

    @Test
    void aReportForAFinishedJobIsIgnored() {
        String jobId = newJobId();
        orchestrator.request(request(jobId, wasm(1, "upper", QUICK)));
        StepCommand first = single(orchestrator.commands());
        orchestrator.result(succeeded(first, "DONE"));
        List<JobEvent> before = orchestrator.events();

        orchestrator.started(StepStarted.of(first, orchestrator.clock.instant()));

        assertThat(orchestrator.events()).isEmpty();
        assertThat(orchestrator.state(jobId).progress().lastSeq()).isEqualTo(before.size());
    }

    private StepResult succeeded(StepCommand command, String output) {
        return Results.succeeded(command, text(output), null, null, 10, orchestrator.clock.instant());
    }

    private static <T> T single(List<T> values) {
        assertThat(values).hasSize(1);
        return values.get(0);
    }
}
