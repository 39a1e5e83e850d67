package ai.mule.orchestrator.jobs;

import java.time.Instant;

/**
 * Something that happens to a job, read from one of the orchestrator's input topics. Each command knows how
 * it changes a job ({@link #apply}), so the processor never switches over command types.
 */
public sealed interface JobCommand permits StartJob, StepFinished, RunnerStarted, CancelJob, WakeUp {

    /** The job this command is about; it must equal the record's key (every topic is keyed by job id). */
    String jobId();

    /**
     * Works out what this command does to the job. Pure: it reads {@code job} and returns the new state
     * with the events and step commands to emit, so a failure here leaves nothing half-written.
     *
     * @param job the job's state, or null when the store holds none (a new job, or one long gone)
     * @param now the time to stamp on emitted events and commands
     */
    Transition apply(JobState job, Instant now);
}
