package ai.mule.orchestrator.jobs;

import static ai.mule.orchestrator.TestJobs.agent;
import static ai.mule.orchestrator.TestJobs.graph;
import static ai.mule.orchestrator.TestJobs.newJobId;
import static ai.mule.orchestrator.TestJobs.node;
import static ai.mule.orchestrator.TestJobs.prompt;
import static ai.mule.orchestrator.TestJobs.request;
import static ai.mule.orchestrator.TestJobs.text;
import static ai.mule.orchestrator.TestJobs.wasm;
import static ai.mule.orchestrator.jobs.RecordLimitsTopologyTest.withConfig;
import static org.assertj.core.api.Assertions.assertThat;

import ai.mule.orchestrator.Results;
import ai.mule.schemas.FailureKind;
import ai.mule.schemas.JobEvent;
import ai.mule.schemas.JobEvent.JobCompleted;
import ai.mule.schemas.JobEvent.StepCompleted;
import ai.mule.schemas.JobEvent.StepRetrying;
import ai.mule.schemas.JobEvent.StepStarted;
import ai.mule.schemas.JobStatus;
import ai.mule.schemas.StepCommand;
import ai.mule.schemas.StepDefinition;
import ai.mule.schemas.StepPolicy;
import ai.mule.schemas.StepResult;
import ai.mule.schemas.WasmStep;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A command that carries the WASM steps after its own ({@code mule.orchestrator.steps-per-command}, 8 by default):
 * the runner runs them one after another and reports them in one record, which the orchestrator applies as if each
 * step's result had come on its own.
 */
class CarriedStepsTopologyTest extends TopologyTestBase {

    /** 2 attempts, 100 ms between them, 1 s a run. */
    static final StepPolicy QUICK = new StepPolicy(2, 100, 1.0, 10_000, 1_000, false);
    static final Duration GRACE = Duration.ofSeconds(5);

    @Override
    Map<String, String> settings() {
        return Map.of();
    }

    @Test
    void aLineOfWasmStepsIsOneCommandAndOneResult() {
        String jobId = newJobId();
        WasmStep upper = wasm(1, "upper", QUICK);
        WasmStep exclaim = wasm(2, "exclaim", QUICK);
        WasmStep reverse = wasm(3, "reverse", QUICK);
        orchestrator.request(request(jobId, upper, exclaim, reverse));

        StepCommand command = single(orchestrator.commands());
        assertThat(command.stepIndex()).isZero();
        assertThat(command.following()).containsExactly(exclaim, reverse);
        assertThat(command.deadline()).as("the three steps' timeouts, one after another, plus the grace")
                .isEqualTo(command.issuedAt().plusSeconds(3).plus(GRACE));
        assertThat(orchestrator.events()).hasSize(2);

        StepCommand second = command.next(text("HELLO"), orchestrator.clock.instant());
        StepCommand third = second.next(text("HELLO!"), orchestrator.clock.instant());
        orchestrator.result(succeeded(command, "HELLO").carrying(List.of(succeeded(second, "HELLO!"),
                succeeded(third, "!OLLEH"))));

        assertThat(orchestrator.commands()).as("no step is sent again").isEmpty();
        List<JobEvent> events = orchestrator.events();
        assertThat(events).extracting(event -> event.getClass().getSimpleName()).containsExactly("StepCompleted",
                "StepStarted", "StepCompleted", "StepStarted", "StepCompleted", "JobCompleted");
        assertThat(events).extracting(JobEvent::seq).containsExactly(3L, 4L, 5L, 6L, 7L, 8L);
        assertThat(((StepStarted) events.get(1)).input()).isEqualTo(prompt("HELLO"));
        assertThat(((StepStarted) events.get(3)).input()).isEqualTo(prompt("HELLO!"));
        assertThat(((StepCompleted) events.get(4)).step().stepIndex()).isEqualTo(2);
        assertThat(((JobCompleted) events.get(5)).output()).isEqualTo(prompt("!OLLEH"));
        assertThat(orchestrator.state(jobId).status()).isEqualTo(JobStatus.COMPLETED);
    }

    @Test
    void aCarriedStepThatFailedIsRetriedWithTheStepsAfterIt() {
        String jobId = newJobId();
        WasmStep reverse = wasm(3, "reverse", QUICK);
        StepCommand command = startThreeSteps(jobId, reverse);
        orchestrator.events();

        StepCommand second = command.next(text("HELLO"), orchestrator.clock.instant());
        orchestrator.result(succeeded(command, "HELLO").carrying(List.of(Results.failed(second,
                FailureKind.PROVIDER_UNAVAILABLE, "503", null, null, 5, orchestrator.clock.instant()))));

        assertThat(orchestrator.events()).extracting(event -> event.getClass().getSimpleName())
                .containsExactly("StepCompleted", "StepStarted", "StepRetrying");
        orchestrator.advance(Duration.ofMillis(120));
        StepCommand retry = single(orchestrator.commands());
        assertThat(retry.stepIndex()).isEqualTo(1);
        assertThat(retry.attempt()).isEqualTo(2);
        assertThat(retry.input()).isEqualTo(prompt("HELLO"));
        assertThat(retry.following()).containsExactly(reverse);

        orchestrator.result(succeeded(retry, "HELLO!").carrying(List.of(succeeded(
                retry.next(text("HELLO!"), orchestrator.clock.instant()), "!OLLEH"))));
        assertThat(orchestrator.state(jobId).status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(orchestrator.commands()).isEmpty();
    }

    @Test
    void aRunnerThatRanItsOwnStepAloneGetsTheNextOneSent() {
        WasmStep reverse = wasm(3, "reverse", QUICK);
        StepCommand command = startThreeSteps(newJobId(), reverse);

        // e.g. a runner of an earlier version, which does not know the steps a command carries
        orchestrator.result(succeeded(command, "HELLO"));

        StepCommand next = single(orchestrator.commands());
        assertThat(next.stepIndex()).isEqualTo(1);
        assertThat(next.input()).isEqualTo(prompt("HELLO"));
        assertThat(next.following()).containsExactly(reverse);
    }

    @Test
    void anAgentStepEndsWhatACommandCarriesAndIsSentAlone() {
        String jobId = newJobId();
        WasmStep exclaim = wasm(2, "exclaim", QUICK);
        orchestrator.request(request(jobId, wasm(1, "upper", QUICK), exclaim, agent(3, "poet"),
                wasm(4, "reverse", QUICK)));
        StepCommand first = single(orchestrator.commands());
        assertThat(first.following()).containsExactly(exclaim);

        orchestrator.result(succeeded(first, "A").carrying(List.of(succeeded(
                first.next(text("A"), orchestrator.clock.instant()), "B"))));
        StepCommand poet = single(orchestrator.commands());
        assertThat(poet.stepIndex()).isEqualTo(2);
        assertThat(poet.following()).isEmpty();

        orchestrator.result(succeeded(poet, "C"));
        StepCommand last = single(orchestrator.commands());
        assertThat(last.stepIndex()).isEqualTo(3);
        assertThat(last.following()).isEmpty();
    }

    @Test
    void resultsForStepsTheCommandDidNotCarryAreIgnored() {
        String jobId = newJobId();
        StepDefinition poetStep = agent(2, "poet");
        orchestrator.request(request(jobId, wasm(1, "upper", QUICK), poetStep));
        StepCommand first = single(orchestrator.commands());
        assertThat(first.following()).isEmpty();

        StepResult forged = Results.succeededFor(jobId, 1, 1, text("never ran"));
        orchestrator.result(succeeded(first, "A").carrying(List.of(forged)));

        StepCommand poet = single(orchestrator.commands());
        assertThat(poet.stepIndex()).as("the agent step is sent, its result in the record was not asked for")
                .isEqualTo(1);
        assertThat(orchestrator.state(jobId).status()).isEqualTo(JobStatus.RUNNING);
    }

    @Test
    void aLostRunnerOfACommandThatCarriesStepsIsCountedAfterAllTheirTimeouts() {
        String jobId = newJobId();
        orchestrator.request(request(jobId, wasm(1, "a", QUICK), wasm(2, "b", QUICK)));
        orchestrator.commands();
        orchestrator.events();

        orchestrator.advance(Duration.ofSeconds(1).plus(GRACE).plusMillis(100));
        assertThat(orchestrator.events()).as("one step's timeout and the grace: the second step may still run")
                .isEmpty();
        orchestrator.advance(Duration.ofSeconds(1));
        StepRetrying lost = (StepRetrying) single(orchestrator.events());
        assertThat(lost.failureKind()).isEqualTo(FailureKind.RUNNER_LOST);
        assertThat(lost.error()).contains("7000 ms", "the timeouts of the step and of the 1 its command carried");
    }

    @Test
    void theStepsOfAGraphAreEachSentAlone() {
        String jobId = newJobId();
        orchestrator.request(graph(jobId, List.of(wasm(1, "a", QUICK), wasm(2, "b", QUICK)),
                List.of(node("a"), node("b", 0))));
        assertThat(single(orchestrator.commands()).following()).isEmpty();
    }

    @Test
    void aJobKeepsTheStepsPerCommandItStartedWith() {
        String jobId = newJobId();
        orchestrator.request(request(jobId, wasm(1, "a", QUICK), wasm(2, "b", QUICK)));
        assertThat(orchestrator.state(jobId).snapshot().stepsPerCommand()).isEqualTo(8);
    }

    @Test
    void aCommandThatCouldNotCarryItsStepsInOneRecordFailsItsJobNamingIt() {
        orchestrator.close();
        orchestrator = new OrchestratorDriver(stateDir, RecordLimitsTopologyTest.RAISED, settings());
        String huge = newJobId();
        orchestrator.request(request(huge, withConfig(wasm(1, "a"), 340_000), withConfig(wasm(2, "b"), 340_000),
                withConfig(wasm(3, "c"), 340_000)));

        assertThat(orchestrator.events()).singleElement().isInstanceOfSatisfying(JobEvent.JobFailed.class,
                failed -> assertThat(failed.error()).startsWith("the job cannot go on: the step command of step 1 "
                        + "(attempt 1) is ").endsWith("(mule.limits.max-record-bytes)"));
        assertThat(orchestrator.commands()).isEmpty();

        String next = newJobId();
        orchestrator.request(request(next, wasm(1, "a"), wasm(2, "b")));
        StepCommand command = single(orchestrator.commands());
        orchestrator.result(succeeded(command, "A").carrying(List.of(succeeded(
                command.next(text("A"), orchestrator.clock.instant()), "B"))));
        assertThat(orchestrator.state(next).status()).isEqualTo(JobStatus.COMPLETED);
    }

    /** Starts a job of three WASM steps, the last one {@code third}; answers its one command. */
    private StepCommand startThreeSteps(String jobId, WasmStep third) {
        orchestrator.request(request(jobId, wasm(1, "upper", QUICK), wasm(2, "exclaim", QUICK), third));
        return single(orchestrator.commands());
    }

    private StepResult succeeded(StepCommand command, String output) {
        return Results.succeeded(command, text(output), null, null, 5, orchestrator.clock.instant());
    }

    private static <T> T single(List<T> values) {
        assertThat(values).hasSize(1);
        return values.get(0);
    }
}
