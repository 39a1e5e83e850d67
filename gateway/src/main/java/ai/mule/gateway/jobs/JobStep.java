package ai.mule.gateway.jobs;

import ai.mule.gateway.orchestration.StepAttempt;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * One step of a job, as the job status writer records it from the job's events. {@code attempt} is the run that
 * counts (or the latest), {@code error_message}/{@code failure_kind} the last failure (kept while the step is
 * retried), {@code next_attempt_at} when a retry is due, {@code usage} the tokens an agent step's provider reported,
 * {@code stdout}/{@code stderr} what a WASM step's module wrote (capped, ending in "…[truncated]" when cut; null for
 * agent steps and steps without a result), and {@code attempts} every run with its error and timing.
 */
public record JobStep(UUID id, UUID jobId, UUID workflowStepId, int stepIndex, int stepOrder, String status, int attempt,
                      JsonNode inputData, JsonNode outputData, String errorMessage, Long durationMicros,
                      Instant createdAt, Instant startedAt, Instant completedAt, String failureKind,
                      Instant nextAttemptAt, JsonNode usage, String stdout, String stderr,
                      List<StepAttempt> attempts) {

    JobStep withAttempts(List<StepAttempt> runs) {
        return new JobStep(id, jobId, workflowStepId, stepIndex, stepOrder, status, attempt, inputData, outputData,
                errorMessage, durationMicros, createdAt, startedAt, completedAt, failureKind, nextAttemptAt, usage,
                stdout, stderr, List.copyOf(runs));
    }
}
