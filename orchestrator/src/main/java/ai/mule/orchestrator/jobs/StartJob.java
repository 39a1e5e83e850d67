package ai.mule.orchestrator.jobs;

import ai.mule.schemas.JobEvent;
import ai.mule.schemas.JobRequest;
import ai.mule.schemas.JobStatus;
import ai.mule.schemas.Topics;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.time.Duration;
import java.time.Instant;

/**
 * A job the gateway accepted ({@code mule.jobs.requests}): start its first step, once. Its step commands may each
 * hold up to {@code stepsPerCommand} steps of its line ({@link JobState#following}).
 */
public record StartJob(JobRequest request, Duration stepGrace, int stepsPerCommand) implements JobCommand {

    /** A job whose every step command holds one step. */
    public StartJob(JobRequest request, Duration stepGrace) {
        this(request, stepGrace, 1);
    }

    @Override
    public String jobId() {
        return request.jobId();
    }

    @Override
    public Transition apply(JobState job, Instant now) {
        if (job != null) {
            // the outbox relay delivers at least once; a cancel may also have got here first
            return Transition.ignored("the job is already known (" + job.status().wire() + ")");
        }
        JobState starting = JobState.starting(request, stepGrace, stepsPerCommand);
        if (starting.snapshot().steps().isEmpty()) {
            return Changes.after(starting, now)
                    .emit((seq, at) -> new JobEvent.JobFailed(Topics.SCHEMA_VERSION, jobId(), seq, at,
                            "the job has no steps to run"))
                    .into(starting.finished(JobStatus.FAILED, now));
        }
        if (JobState.due(request.deadline(), now)) {
            // e.g. the request waited in the outbox longer than the whole job may take
            return Changes.after(starting, now)
                    .emit((seq, at) -> new JobEvent.JobFailed(Topics.SCHEMA_VERSION, jobId(), seq, at,
                            "the job timed out: its deadline " + request.deadline() + " passed before it started"))
                    .into(starting.finished(JobStatus.FAILED, now));
        }
        if (starting.snapshot().graph()) {
            return FlowRun.start(starting, inputOrEmpty(request.input()), now);
        }
        JobState running = starting.running(inputOrEmpty(request.input()), now);
        return Changes.after(starting, now)
                .emit((seq, at) -> new JobEvent.JobStarted(Topics.SCHEMA_VERSION, jobId(), seq, at,
                        request.workflowName(), request.steps().size()))
                .startStep(running)
                .into(running);
    }

    /** Mule v2 stores a job without input as {@code {}}; runners get the same rather than null. */
    private static JsonNode inputOrEmpty(JsonNode input) {
        return input == null || input.isNull() ? JsonNodeFactory.instance.objectNode() : input;
    }
}
