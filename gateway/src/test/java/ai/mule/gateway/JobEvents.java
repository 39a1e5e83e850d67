package ai.mule.gateway;

import ai.mule.schemas.FailureKind;
import ai.mule.schemas.JobEvent;
import ai.mule.schemas.JsonSerde;
import ai.mule.schemas.StepRef;
import ai.mule.schemas.TokenUsage;
import ai.mule.schemas.Topics;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/** Events as the orchestrator emits them for a job's first step (first attempt), for tests: an object mother. */
public final class JobEvents {

    /** The first attempt of a job's first step, given inline (no workflow step id). */
    public static final StepRef FIRST_STEP = new StepRef(0, 1, null, 1);

    private JobEvents() {
    }

    public static JobEvent.StepStarted stepStarted(String jobId, long seq, JsonNode input) {
        return new JobEvent.StepStarted(Topics.SCHEMA_VERSION, jobId, seq, Instant.now(), FIRST_STEP, input);
    }

    /** The first step completed; {@code stdout}/{@code stderr} are a WASM module's, null for agent steps. */
    public static JobEvent.StepCompleted stepCompleted(String jobId, long seq, JsonNode output, String stdout,
                                                       String stderr) {
        return new JobEvent.StepCompleted(Topics.SCHEMA_VERSION, jobId, seq, Instant.now(), FIRST_STEP, output, 40,
                null, stdout, stderr);
    }

    public static JobEvent.StepFailed stepFailed(String jobId, long seq, FailureKind kind, String error, String stdout,
                                                 String stderr) {
        return new JobEvent.StepFailed(Topics.SCHEMA_VERSION, jobId, seq, Instant.now(), FIRST_STEP, error, 40, kind,
                stdout, stderr);
    }

    /** The job completed with {@code {"prompt": output}}, as the orchestrator wraps its last step's output. */
    public static JobEvent.JobCompleted jobCompleted(String jobId, long seq, String output, TokenUsage usage) {
        return jobCompleted(jobId, seq, JsonSerde.mapper().createObjectNode().put("prompt", output), usage);
    }

    public static JobEvent.JobCompleted jobCompleted(String jobId, long seq, JsonNode output, TokenUsage usage) {
        return new JobEvent.JobCompleted(Topics.SCHEMA_VERSION, jobId, seq, Instant.now(), output, usage);
    }
}
