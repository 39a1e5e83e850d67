package ai.mule.orchestrator.status;

import ai.mule.schemas.FailureKind;
import ai.mule.schemas.JobEvent;
import ai.mule.schemas.JobEvent.JobCompleted;
import ai.mule.schemas.JobEvent.JobFailed;
import ai.mule.schemas.JobEvent.JobStarted;
import ai.mule.schemas.JobEvent.StepCompleted;
import ai.mule.schemas.JobEvent.StepEvent;
import ai.mule.schemas.JobEvent.StepFailed;
import ai.mule.schemas.JobEvent.StepStarted;
import ai.mule.schemas.JobStatus;
import ai.mule.schemas.StepRef;
import ai.mule.schemas.TokenUsage;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * What a run of one job's events leaves in its rows, when it can be written as one write per row: the job's row
 * once, and each step's row and attempt row once, instead of a statement per event (issue 14: the eight events of a
 * 3-step job were eight statements, each locking and updating the job's row, and took nine tenths of PostgreSQL's
 * time under the bench).
 * <p>
 * Only the events of a job running its steps are folded: the job starting and ending (completed or failed), and each
 * step at most started once and finished once (completed or failed), in that order, within one attempt, each event
 * with its time. For these the fold writes what the events, applied one by one, would have written. A run with
 * anything else (a retry, a skipped step, a cancel, a step started twice, an event without a time) is not folded: its
 * events are written one by one, as the statements that know those cases do.
 *
 * @param lastSeq     the seq of the last event folded: the job's {@code last_event_seq} after them
 * @param status      the job's status after the events, or null when none of them changes it
 * @param startedAt   when the job started, if one of the events says so
 * @param endedAt     when the job ended (its completed or failed event), else null
 * @param output      the completed job's output
 * @param error       the failed job's error
 * @param steps       each step the events are about, in the order it first appears
 * @param eventCount  how many events were folded
 */
record FoldedJob(UUID jobId, long lastSeq, JobStatus status, Instant startedAt, Instant endedAt, JsonNode output,
                 String error, List<FoldedStep> steps, int eventCount) {

    /**
     * One step's events within the run: its start, its finish (a {@link StepCompleted} or {@link StepFailed}), or
     * both, of one attempt.
     */
    record FoldedStep(StepRef step, StepStarted started, StepEvent finished) {

        FoldedStep {
            if (started == null && finished == null) {
                throw new IllegalArgumentException("a folded step has a start or a finish");
            }
        }

        /** How the step stands after its events: still running, or how it finished. */
        Outcome outcome() {
            if (finished instanceof StepCompleted completed) {
                return new Outcome("completed", completed.output(), null, null, completed.durationMicros(),
                        completed.at(), completed.stdout(), completed.stderr(), completed.usage());
            }
            if (finished instanceof StepFailed failed) {
                return new Outcome("failed", null, failed.error(), failed.failureKind(), failed.durationMicros(),
                        failed.at(), failed.stdout(), failed.stderr(), null);
            }
            return new Outcome("running", null, null, null, null, null, null, null, null);
        }
    }

    /** A step's row and attempt as its events leave them: what they say of its end (all null while it runs). */
    record Outcome(String status, JsonNode output, String error, FailureKind failureKind, Long durationMicros,
                   Instant completedAt, String stdout, String stderr, TokenUsage usage) {
    }

    /**
     * The fold of {@code events}, a job's events still to apply, in order (none already applied, none after its end);
     * empty when they cannot be folded.
     */
    static Optional<FoldedJob> of(UUID jobId, List<JobEvent> events) {
        JobStatus status = null;
        Instant startedAt = null;
        Instant endedAt = null;
        JsonNode output = null;
        String error = null;
        Map<Integer, FoldedStep> steps = new LinkedHashMap<>();
        for (JobEvent event : events) {
            if (endedAt != null || event.at() == null) {
                // the writes tell a step's start and end by their times (JobStatusRepository), so each needs one
                return Optional.empty();
            }
            if (event instanceof JobStarted) {
                status = JobStatus.RUNNING;
                startedAt = startedAt == null ? event.at() : startedAt;
            } else if (event instanceof JobCompleted done) {
                status = JobStatus.COMPLETED;
                endedAt = event.at();
                output = done.output();
            } else if (event instanceof JobFailed failed) {
                status = JobStatus.FAILED;
                endedAt = event.at();
                error = failed.error();
            } else if (event instanceof StepStarted started) {
                if (steps.containsKey(started.step().stepIndex())) {
                    return Optional.empty();
                }
                steps.put(started.step().stepIndex(), new FoldedStep(started.step(), started, null));
            } else if (event instanceof StepCompleted || event instanceof StepFailed) {
                StepRef step = ((StepEvent) event).step();
                FoldedStep before = steps.get(step.stepIndex());
                if (before != null && (before.finished() != null || !before.step().equals(step))) {
                    return Optional.empty();
                }
                steps.put(step.stepIndex(), new FoldedStep(step, before == null ? null : before.started(),
                        (StepEvent) event));
            } else {
                // a retry, a skipped step, a cancel: the one-by-one statements know what these change
                return Optional.empty();
            }
        }
        if (events.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new FoldedJob(jobId, events.get(events.size() - 1).seq(), status, startedAt, endedAt,
                output, error, new ArrayList<>(steps.values()), events.size()));
    }
}
