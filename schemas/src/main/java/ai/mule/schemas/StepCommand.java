package ai.mule.schemas;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * Run one step of one job ({@code mule.steps.wasm}, {@code mule.steps.agent}). Runners deliver at least
 * once; {@code (jobId, stepIndex, attempt)} identifies the run so the orchestrator can drop duplicates.
 *
 * @param stepIndex position of the step in the job's snapshot, from 0
 * @param attempt   1 for the first run of the step, then 2, 3, ... on retries
 * @param input     the step's input: the job input for the first step, {@code {"prompt": output}} after
 * @param deadline  when the orchestrator counts this attempt as lost unless a runner has reported it started
 *                  ({@link StepStarted}): a runner never starts a command past it (the orchestrator has given
 *                  up on that attempt and sent another), and reports the start of one whose run could end
 *                  after it. Null from orchestrators that set none: no deadline
 * @param callDepth the job's {@link JobRequest#callDepth}: an agent step's tool that calls the gateway says
 *                  {@code callDepth + 1} ({@link JobRequest#CALL_DEPTH_HEADER}). Absent (0) when 0, and from older
 *                  orchestrators
 */
public record StepCommand(int version, String jobId, int stepIndex, int attempt, StepDefinition step, JsonNode input,
                          Instant issuedAt, Instant deadline,
                          @JsonInclude(JsonInclude.Include.NON_DEFAULT) int callDepth) {

    public StepCommand(int version, String jobId, int stepIndex, int attempt, StepDefinition step, JsonNode input,
                       Instant issuedAt, Instant deadline) {
        this(version, jobId, stepIndex, attempt, step, input, issuedAt, deadline, 0);
    }

    /** A command of a job a client started (call depth 0). */
    public static StepCommand of(String jobId, int stepIndex, int attempt, StepDefinition step, JsonNode input,
                                 Instant issuedAt, Instant deadline) {
        return of(jobId, stepIndex, attempt, step, input, issuedAt, deadline, 0);
    }

    public static StepCommand of(String jobId, int stepIndex, int attempt, StepDefinition step, JsonNode input,
                                 Instant issuedAt, Instant deadline, int callDepth) {
        return new StepCommand(Topics.SCHEMA_VERSION, jobId, stepIndex, attempt, step, input, issuedAt, deadline,
                callDepth);
    }
}
