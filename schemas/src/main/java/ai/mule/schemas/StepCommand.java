package ai.mule.schemas;

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
 */
public record StepCommand(int version, String jobId, int stepIndex, int attempt, StepDefinition step, JsonNode input,
                          Instant issuedAt, Instant deadline) {

    public static StepCommand of(String jobId, int stepIndex, int attempt, StepDefinition step, JsonNode input,
                                 Instant issuedAt, Instant deadline) {
        return new StepCommand(Topics.SCHEMA_VERSION, jobId, stepIndex, attempt, step, input, issuedAt, deadline);
    }
}
