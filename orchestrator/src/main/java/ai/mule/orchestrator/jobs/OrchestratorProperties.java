package ai.mule.orchestrator.jobs;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.PositiveOrZero;
import java.time.Duration;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How the orchestrator's Kafka Streams app runs.
 *
 * @param applicationId        the Streams application id: its consumer group, and the prefix of its internal topics
 * @param stateDir             where the job state stores live on disk ({@code MULE_STATE_DIR})
 * @param commitInterval       how often the exactly-once transaction commits, counted from the last commit (the
 *                             timer tick requests it: {@code CommitPacer}). Runners read uncommitted and do not
 *                             wait for it; read_committed readers (the status writer, the gateway's sync answers)
 *                             do. The end of a job someone waits for does not wait: the processor requests a
 *                             commit right after the record that ends it, so this bounds how late the other events
 *                             (a job started, a step done, the end of an async job) reach the job rows: up to this
 *                             interval plus an idle poll (at most {@code timerInterval}). Every commit stalls the
 *                             stream thread (and the next transaction may meet CONCURRENT_TRANSACTIONS), so this is
 *                             not shorter; with the commit at a job's end, sync answers measured no faster at
 *                             20 ms or 500 ms than at 100 ms (CommitLatencyIT: p50 66 and 67 against 66-70 ms), so
 *                             it stays at Streams' exactly-once default
 * @param producerRetryBackoff the producer's retry backoff; a transaction that meets CONCURRENT_TRANSACTIONS (its
 *                             first send right after a commit, while the broker still writes that commit's markers)
 *                             waits this long, and so do the steps it sends and the next commit's flush. 2 ms
 *                             against 10 ms, A/B in one ./mule bench each: sync 1 client p50 42.5 -> 37.7 ms,
 *                             8 clients 153 -> 136 ms, steady step overhead 13.0 -> 8.8 ms (issue 14)
 * @param sessionTimeout       how soon a crashed instance's partitions move to another one
 * @param terminalRetention    how long a finished job stays in the store, so that late duplicates are recognised
 * @param sweepInterval        how often finished jobs past their retention are removed (wall-clock)
 * @param stepTimeoutGrace     how long past a step's own timeout ({@code policy.timeout_ms}) the orchestrator
 *                             waits for its result before it counts the runner as lost: the runner enforces the
 *                             timeout itself and reports it, so this covers queueing and the result's trip back
 * @param timerInterval        how often due retries and deadlines are looked for (wall-clock); a backoff or a
 *                             deadline is late by up to this much (plus the stream thread's poll time when idle).
 *                             A job that ended too soon after the last commit request ({@code CommitPacer}) is
 *                             committed at this tick too
 * @param stepsPerCommand      how many steps of a line one step command may hold: a WASM step and the WASM steps right
 *                             after it run on one runner, one after another, their results in one record, so each
 *                             step after the first costs no Kafka hop and no transition of its own (issue 14). 1
 *                             sends every step alone. A job keeps the value it started with
 * @param threadReplacements   how many failed stream threads are replaced within {@code threadReplacementWindow}
 *                             before the service gives up and exits non-zero, so that its supervisor restarts it
 *                             (and an operator sees a crash loop) instead of it failing on the same record forever
 * @param threadReplacementWindow the window {@code threadReplacements} is counted in
 * <p>
 * What a record, a step output or a JSON value may hold is not set here but by the limits every service shares
 * ({@code mule.limits.*}, see {@link ai.mule.schemas.Limits}).
 */
@ConfigurationProperties("mule.orchestrator")
@Validated
public record OrchestratorProperties(
        @DefaultValue("mule-orchestrator") @NotBlank String applicationId,
        @NotBlank String stateDir,
        @DefaultValue("100ms") @NotNull @DurationMin(millis = 1) Duration commitInterval,
        @DefaultValue("1") @Positive int streamThreads,
        @DefaultValue("0") @PositiveOrZero int standbyReplicas,
        @DefaultValue("2ms") @NotNull @DurationMin(millis = 1) Duration producerRetryBackoff,
        @DefaultValue("10s") @NotNull @DurationMin(seconds = 6) Duration sessionTimeout,
        @DefaultValue("24h") @NotNull @DurationMin(seconds = 1) Duration terminalRetention,
        @DefaultValue("1m") @NotNull @DurationMin(millis = 100) Duration sweepInterval,
        @DefaultValue("5s") @NotNull Duration stepTimeoutGrace,
        @DefaultValue("20ms") @NotNull @DurationMin(millis = 1) Duration timerInterval,
        @DefaultValue("8") @Positive int stepsPerCommand,
        @DefaultValue("3") @PositiveOrZero int threadReplacements,
        @DefaultValue("10m") @NotNull @DurationMin(seconds = 1) Duration threadReplacementWindow) {
}
