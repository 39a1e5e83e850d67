package ai.mule.gateway.orchestration;

import ai.mule.gateway.web.ApiException;
import ai.mule.schemas.StepPolicy;
import ai.mule.schemas.WorkflowStep;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The retry and timeout policy of one workflow step as the API and the {@code workflow_steps} columns hold it:
 * each field may be absent (null), which means the default of the step's type ({@link #defaultsFor}).
 * {@link #resolve} gives the policy a job's snapshot carries.
 */
public record StepPolicyFields(Integer maxAttempts, Long initialBackoffMs, Double backoffMultiplier, Long maxBackoffMs,
                               Long timeoutMs, Boolean retryStepFailures) {

    /** The columns, in the order {@link #values()} gives them. */
    public static final String COLUMNS =
            "max_attempts, initial_backoff_ms, backoff_multiplier, max_backoff_ms, timeout_ms, retry_step_failures";
    /** {@code col = ?} for each column, for an UPDATE. */
    public static final String ASSIGNMENTS = "max_attempts = ?, initial_backoff_ms = ?, backoff_multiplier = ?, "
            + "max_backoff_ms = ?, timeout_ms = ?, retry_step_failures = ?";

    static final int MAX_ATTEMPTS = 100;
    static final long MAX_MILLIS = 86_400_000L;

    public static final StepPolicyFields NONE = new StepPolicyFields(null, null, null, null, null, null);

    /** Checks the fields a client sent; a clear 400 names the first one out of range. */
    public StepPolicyFields validated() {
        if (maxAttempts != null && (maxAttempts < 1 || maxAttempts > MAX_ATTEMPTS)) {
            throw ApiException.badRequest("max_attempts must be 1 to " + MAX_ATTEMPTS + " (1 = no retry), got "
                    + maxAttempts);
        }
        checkMillis(initialBackoffMs, "initial_backoff_ms", 0);
        checkMillis(maxBackoffMs, "max_backoff_ms", 0);
        checkMillis(timeoutMs, "timeout_ms", 1);
        if (backoffMultiplier != null && (backoffMultiplier.isNaN() || backoffMultiplier < 1 || backoffMultiplier > 100)) {
            throw ApiException.badRequest("backoff_multiplier must be 1 to 100 (1 = the same wait each time), got "
                    + backoffMultiplier);
        }
        return this;
    }

    /** The policy a job runs this step with: these fields over the defaults of the step's type. */
    public StepPolicy resolve(StepPolicy defaults) {
        return new StepPolicy(
                maxAttempts != null ? maxAttempts : defaults.maxAttempts(),
                initialBackoffMs != null ? initialBackoffMs : defaults.initialBackoffMs(),
                backoffMultiplier != null ? backoffMultiplier : defaults.backoffMultiplier(),
                maxBackoffMs != null ? maxBackoffMs : defaults.maxBackoffMs(),
                timeoutMs != null ? timeoutMs : defaults.timeoutMs(),
                retryStepFailures != null ? retryStepFailures : defaults.retryStepFailures());
    }

    /** The effective policy as fields, for API responses (every field set). */
    public static StepPolicyFields of(StepPolicy policy) {
        return new StepPolicyFields(policy.maxAttempts(), policy.initialBackoffMs(), policy.backoffMultiplier(),
                policy.maxBackoffMs(), policy.timeoutMs(), policy.retryStepFailures());
    }

    /**
     * The defaults of a step type, as {@code schemas} defines them: the one lookup for both the policy a job's
     * snapshot carries and the one the step API shows, so the two cannot differ.
     */
    public static StepPolicy defaultsFor(String stepType) {
        if ("agent".equals(stepType)) {
            return StepPolicy.AGENT_DEFAULT;
        }
        return "workflow".equals(stepType) ? WorkflowStep.DEFAULT_POLICY : StepPolicy.WASM_DEFAULT;
    }

    public Object[] values() {
        return new Object[] {maxAttempts, initialBackoffMs, backoffMultiplier, maxBackoffMs, timeoutMs, retryStepFailures};
    }

    /** Reads the policy columns of a row (aliases may be prefixed, e.g. {@code s_}). */
    public static StepPolicyFields read(ResultSet rs) throws SQLException {
        return new StepPolicyFields(rs.getObject("max_attempts", Integer.class),
                rs.getObject("initial_backoff_ms", Long.class), rs.getObject("backoff_multiplier", Double.class),
                rs.getObject("max_backoff_ms", Long.class), rs.getObject("timeout_ms", Long.class),
                rs.getObject("retry_step_failures", Boolean.class));
    }

    private static void checkMillis(Long value, String field, long min) {
        if (value != null && (value < min || value > MAX_MILLIS)) {
            throw ApiException.badRequest(field + " must be " + min + " to " + MAX_MILLIS + " milliseconds, got " + value);
        }
    }
}
