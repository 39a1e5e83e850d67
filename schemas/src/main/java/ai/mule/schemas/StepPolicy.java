package ai.mule.schemas;

/**
 * How the orchestrator retries a step and how long one run of it may take. The gateway resolves it into
 * the job's snapshot (the step's own settings, else the defaults of its type), so runners and the
 * orchestrator never look defaults up and a job keeps the policy it was accepted with.
 *
 * @param maxAttempts       runs at most, the first included (1 = no retry)
 * @param initialBackoffMs  wait before the second attempt
 * @param backoffMultiplier each further wait is the previous one times this
 * @param maxBackoffMs      no wait is longer than this
 * @param timeoutMs         one run's wall-clock limit; the runner stops the run, and the orchestrator treats a
 *                          step with no result some time past it as lost
 * @param retryStepFailures also retry failures that are not transient by nature (a module's
 *                          {@code success: false}, a trap, a provider's 4xx)
 */
public record StepPolicy(int maxAttempts, long initialBackoffMs, double backoffMultiplier, long maxBackoffMs,
                         long timeoutMs, boolean retryStepFailures) {

    /** WASM steps: quick, deterministic; three attempts for transient trouble, 30 s a run. */
    public static final StepPolicy WASM_DEFAULT = new StepPolicy(3, 200, 2.0, 10_000, 30_000, false);
    /** Agent steps: slow, rate-limited providers; three attempts with longer waits, 120 s a run. */
    public static final StepPolicy AGENT_DEFAULT = new StepPolicy(3, 1_000, 2.0, 30_000, 120_000, false);

    public StepPolicy {
        if (maxAttempts < 1 || initialBackoffMs < 0 || backoffMultiplier < 1.0 || maxBackoffMs < 0 || timeoutMs < 1) {
            throw new IllegalArgumentException("invalid step policy: max_attempts >= 1, backoffs >= 0, "
                    + "multiplier >= 1, timeout >= 1 ms");
        }
    }

    /** The wait before {@code attempt} (2 = the first retry), capped at {@link #maxBackoffMs}. */
    public long backoffBeforeAttempt(int attempt) {
        if (attempt <= 1) {
            return 0;
        }
        double wait = initialBackoffMs * Math.pow(backoffMultiplier, attempt - 2);
        return (long) Math.min(wait, maxBackoffMs);
    }

    /** Whether a failed run of this kind should be run again, attempts allowing. */
    public boolean retries(FailureKind kind, int attempt) {
        boolean retryable = kind != null && kind.isTransient() || retryStepFailures && kind != FailureKind.CANCELLED;
        return retryable && attempt < maxAttempts;
    }
}
