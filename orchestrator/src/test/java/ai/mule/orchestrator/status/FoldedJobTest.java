package ai.mule.orchestrator.status;

import static org.assertj.core.api.Assertions.assertThat;

import ai.mule.schemas.FailureKind;
import ai.mule.schemas.JobEvent;
import ai.mule.schemas.JobEvent.JobCancelled;
import ai.mule.schemas.JobEvent.JobCompleted;
import ai.mule.schemas.JobEvent.JobStarted;
import ai.mule.schemas.JobEvent.StepCompleted;
import ai.mule.schemas.JobEvent.StepRetrying;
import ai.mule.schemas.JobEvent.StepSkipped;
import ai.mule.schemas.JobEvent.StepStarted;
import ai.mule.schemas.JobStatus;
import ai.mule.schemas.StepRef;
import com.fasterxml.jackson.databind.node.TextNode;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class FoldedJobTest {

    private static final UUID JOB = UUID.randomUUID();
    private static final String ID = JOB.toString();
    private static final Instant T0 = Instant.parse("2026-12-07T00:00:00Z");

    @Test
    void aJobRunningItsStepsFoldsIntoOneWritePerRow() {
        List<JobEvent> events = List.of(
                new JobStarted(1, ID, 1, at(1), "wf", 2),
                started(2, step(0, 1)),
                completed(3, step(0, 1)),
                started(4, step(1, 1)),
                completed(5, step(1, 1)),
                new JobCompleted(1, ID, 6, at(6), TextNode.valueOf("out"), null));

        FoldedJob job = FoldedJob.of(JOB, events).orElseThrow();

        assertThat(job.lastSeq()).isEqualTo(6);
        assertThat(job.eventCount()).isEqualTo(6);
        assertThat(job.status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(job.startedAt()).isEqualTo(at(1));
        assertThat(job.endedAt()).isEqualTo(at(6));
        assertThat(job.output()).isEqualTo(TextNode.valueOf("out"));
        assertThat(job.steps()).extracting(step -> step.step().stepIndex()).containsExactly(0, 1);
        assertThat(job.steps()).allSatisfy(step -> assertThat(step.started()).isNotNull())
                .allSatisfy(step -> assertThat(step.finished()).isInstanceOf(StepCompleted.class));
    }

    @Test
    void aRunCutAnywhereStillFolds() {
        FoldedJob finishOnly = FoldedJob.of(JOB, List.of(completed(3, step(0, 1)), started(4, step(1, 1))))
                .orElseThrow();

        assertThat(finishOnly.status()).as("step events leave the job's status alone").isNull();
        assertThat(finishOnly.steps()).satisfiesExactly(
                first -> assertThat(first.started()).isNull(),
                second -> assertThat(second.finished()).isNull());
    }

    @Test
    void whatTheOneByOneStatementsKnowBetterIsNotFolded() {
        StepRetrying retrying = new StepRetrying(1, ID, 3, at(3), step(0, 1), "503",
                FailureKind.PROVIDER_UNAVAILABLE, 10, at(4));
        assertThat(FoldedJob.of(JOB, List.of(started(2, step(0, 1)), retrying))).isEmpty();
        assertThat(FoldedJob.of(JOB, List.of(new StepSkipped(1, ID, 2, at(2), step(0, 1), "when was false"))))
                .isEmpty();
        assertThat(FoldedJob.of(JOB, List.of(started(2, step(0, 1)), new JobCancelled(1, ID, 3, at(3), "asked"))))
                .isEmpty();
        assertThat(FoldedJob.of(JOB, List.of(started(2, step(0, 1)), started(3, step(0, 2)))))
                .as("a step started twice").isEmpty();
        assertThat(FoldedJob.of(JOB, List.of(started(2, step(0, 1)), completed(3, step(0, 2)))))
                .as("a start and a finish of two attempts").isEmpty();
        assertThat(FoldedJob.of(JOB, List.of(new JobCompleted(1, ID, 2, at(2), null, null), started(3, step(0, 1)))))
                .as("anything after the job's end").isEmpty();
        assertThat(FoldedJob.of(JOB, List.of(new StepCompleted(1, ID, 2, null, step(0, 1), TextNode.valueOf("out"), 100,
                null, null, null)))).as("an event without its time, by which the writes tell a finish").isEmpty();
        assertThat(FoldedJob.of(JOB, List.of())).isEmpty();
    }

    private static StepStarted started(long seq, StepRef step) {
        return new StepStarted(1, ID, seq, at((int) seq), step, TextNode.valueOf("in"));
    }

    private static StepCompleted completed(long seq, StepRef step) {
        return new StepCompleted(1, ID, seq, at((int) seq), step, TextNode.valueOf("out"), 100, null, null, null);
    }

    private static StepRef step(int index, int attempt) {
        return new StepRef(index, index + 1, null, attempt);
    }

    private static Instant at(int minute) {
        return T0.plusSeconds(60L * minute);
    }
}
