package ai.mule.schemas;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;

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
 * @param following the steps right after this one that the runner runs too, each (attempt 1) with
 *                  {@code {"prompt": output}} of the one before, for as long as they succeed: their results travel
 *                  in this step's result ({@link StepResult#carried}), so a line of steps for the same runner costs
 *                  one command and one result, not one of each per step. Left out when empty; a runner that does not
 *                  know it runs this step alone, and the orchestrator sends the next one as usual
 */
public record StepCommand(int version, String jobId, int stepIndex, int attempt, StepDefinition step, JsonNode input,
                          Instant issuedAt, Instant deadline,
                          @JsonInclude(JsonInclude.Include.NON_DEFAULT) int callDepth,
                          @JsonInclude(JsonInclude.Include.NON_EMPTY) List<StepDefinition> following) {

    public StepCommand {
        following = following == null ? List.of() : List.copyOf(following);
    }

    public StepCommand(int version, String jobId, int stepIndex, int attempt, StepDefinition step, JsonNode input,
                       Instant issuedAt, Instant deadline, int callDepth) {
        this(version, jobId, stepIndex, attempt, step, input, issuedAt, deadline, callDepth, List.of());
    }

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

    /** This command carrying {@code steps} as its {@link #following} steps. */
    public StepCommand following(List<StepDefinition> steps) {
        return new StepCommand(version, jobId, stepIndex, attempt, step, input, issuedAt, deadline, callDepth, steps);
    }

    /**
     * The first of the {@link #following} steps as a command of its own (attempt 1, no deadline: it starts as soon as
     * this one has succeeded, long before the orchestrator would give up on it), with {@code {"prompt": output}}.
     */
    public StepCommand next(JsonNode output, Instant now) {
        return new StepCommand(version, jobId, stepIndex + 1, 1, following.get(0), promptOf(output), now, null,
                callDepth, following.subList(1, following.size()));
    }

    /** How long this command may run: its step's timeout and those of the steps it carries, one after another. */
    public long timeoutMs() {
        return timeoutMs(step, following);
    }

    /** The timeout of {@code step} and of the steps it carries; 0 for a step without a policy. */
    public static long timeoutMs(StepDefinition step, List<StepDefinition> following) {
        long total = step == null || step.policy() == null ? 0 : step.policy().timeoutMs();
        for (StepDefinition next : following) {
            total += next.policy() == null ? 0 : next.policy().timeoutMs();
        }
        return total;
    }

    /** Mule v2: a step's output reaches the next step, and the job's output, as {@code {"prompt": output}}. */
    public static ObjectNode promptOf(JsonNode output) {
        ObjectNode prompt = JsonNodeFactory.instance.objectNode();
        prompt.set("prompt", output == null ? NullNode.getInstance() : output);
        return prompt;
    }
}
