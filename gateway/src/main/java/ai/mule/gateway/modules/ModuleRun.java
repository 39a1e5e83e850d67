package ai.mule.gateway.modules;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.UUID;

/**
 * How a direct run of a module ended. Mule v2's {@code /wasm-modules/test} shape ({@code output, success,
 * error}) plus the job it ran as, which is recorded like any other ({@code GET /api/v1/jobs/{job_id}}).
 *
 * @param output the module's output (the job output's {@code prompt}); null when it failed
 * @param status the job's status: completed, failed or cancelled
 * @param stdout what the module wrote to stdout (capped, ending in "…[truncated]" when cut); null when the step
 *               produced no result (timed out, runner lost, cancelled before it ran)
 * @param stderr what the module wrote to stderr, likewise
 */
public record ModuleRun(UUID jobId, String status, boolean success, JsonNode output, String error, String stdout,
                        String stderr) {
}
