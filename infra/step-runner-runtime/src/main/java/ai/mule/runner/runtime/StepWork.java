package ai.mule.runner.runtime;

import ai.mule.schemas.FailureKind;
import ai.mule.schemas.Limits;
import ai.mule.schemas.StepCommand;
import ai.mule.schemas.StepResult;
import ai.mule.schemas.StepStarted;
import ai.mule.tracing.RecordSpan;
import ai.mule.tracing.SpanNames;
import ai.mule.tracing.Tracing;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.header.Headers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One command's way through a worker thread: skip it if stale, report its start when the run may outlast its
 * deadline, run the handler with a cancel signal, contain whatever it throws, fit the result to the limits,
 * publish it. {@code done} is called once the command's offset may be committed; it is not called for a run
 * the runner abandoned while stopping (that command runs again elsewhere).
 * <p>
 * The stale rule, from the orchestrator's side: past {@code deadline} it counts the attempt lost unless a
 * runner reported it started. A command within {@link #MARGIN} of it is skipped (the orchestrator has
 * retried it, or will); one whose run could end after it is announced with {@link StepStarted} first.
 * <p>
 * A command may carry the steps that follow its own ({@link StepCommand#following}): each runs on the same worker
 * once the one before succeeded, under its own timeout and its job's cancel, and their results go out in one record
 * with the command's own ({@link StepResult#carried}). The stale rule then counts the timeouts of them all.
 */
final class StepWork {

    private static final Logger log = LoggerFactory.getLogger(StepWork.class);
    /** How close to its deadline a command is treated as past it: the StepStarted record needs time to land. */
    static final Duration MARGIN = Duration.ofSeconds(1);
    /** Bytes the record holding carried results adds around them (their field's name, brackets and commas). */
    private static final int CARRY_MARGIN = 1024;

    private final StepHandler handler;
    private final RunningSteps steps;
    private final ResultPublisher publisher;
    private final WorkerPool workers;
    private final Limits limits;
    private final Clock clock;
    private final RunnerMetrics metrics;
    private final Tracing tracing;
    private final String topic;

    StepWork(StepHandler handler, RunningSteps steps, ResultPublisher publisher, WorkerPool workers, Limits limits,
             Clock clock, RunnerMetrics metrics, Tracing tracing, String topic) {
        this.handler = handler;
        this.steps = steps;
        this.publisher = publisher;
        this.workers = workers;
        this.limits = limits;
        this.clock = clock;
        this.metrics = metrics;
        this.tracing = tracing;
        this.topic = topic;
    }

    /**
     * Runs the command in a span of its job's trace (a child of the context in {@code headers}); the records it
     * publishes carry that span, or, tracing off, the context the command came with.
     */
    void run(StepCommand command, Headers headers, Runnable done) {
        try (RecordSpan span = tracing.onRecord(SpanNames.runStep(RunnerMetrics.stepType(command)), topic, headers,
                command.jobId())) {
            span.attribute(Tracing.STEP_INDEX, command.stepIndex()).attribute(Tracing.STEP_ATTEMPT, command.attempt());
            run(command, span, headers, done);
        }
    }

    private void run(StepCommand command, RecordSpan span, Headers headers, Runnable done) {
        Instant now = clock.instant();
        if (command.deadline() != null) {
            Instant cutoff = command.deadline().minus(MARGIN);
            if (!now.isBefore(cutoff)) {
                log.info("job {} step {} attempt {}: skipped, its deadline {} has passed (the orchestrator retries it)",
                        command.jobId(), command.stepIndex(), command.attempt(), command.deadline());
                done.run();
                return;
            }
            if (now.plusMillis(command.timeoutMs()).isAfter(cutoff)) {
                publisher.started(command, StepStarted.of(command, now), span.headersFrom(headers));
            }
        }
        StepResult result = execute(command);
        if (workers.abandoned()) {
            log.info("job {} step {} attempt {}: run stopped by the runner's shutdown; left for another runner",
                    command.jobId(), command.stepIndex(), command.attempt());
            return;
        }
        ResultFit.Fitted fitted = ResultFit.fit(command, result, limits);
        if (!fitted.result().success()) {
            span.fail(fitted.result().error());
        }
        List<ResultFit.Fitted> carried = new ArrayList<>(command.following().size());
        // the record goes out in the span of its last step, so that applying it follows that step in the job's trace
        Headers recordHeaders = span.headersFrom(headers);
        StepCommand last = command;
        ResultFit.Fitted lastFitted = fitted;
        int bytes = fitted.value().length;
        // the steps it carries, while each succeeds. Past half a record the next one's result might not fit with
        // them, so it is left for the orchestrator to send; a result that still does not fit is dropped, and its step
        // runs again on a command of its own
        while (lastFitted.result().success() && !last.following().isEmpty() && bytes <= limits.maxRecordBytes() / 2) {
            StepCommand next = last.next(lastFitted.result().output(), clock.instant());
            ResultFit.Fitted nextFitted;
            Headers nextHeaders;
            // each step in a span of its own, the child of the step before it
            try (RecordSpan nextSpan = tracing.onRecord(SpanNames.runStep(RunnerMetrics.stepType(next)), topic,
                    recordHeaders, next.jobId())) {
                nextSpan.attribute(Tracing.STEP_INDEX, next.stepIndex()).attribute(Tracing.STEP_ATTEMPT, next.attempt());
                StepResult nextResult = execute(next);
                if (workers.abandoned()) {
                    log.info("job {} step {}: run stopped by the runner's shutdown; left for another runner",
                            next.jobId(), next.stepIndex());
                    return;
                }
                nextFitted = ResultFit.fit(next, nextResult, limits);
                if (!nextFitted.result().success()) {
                    nextSpan.fail(nextFitted.result().error());
                }
                nextHeaders = nextSpan.headersFrom(recordHeaders);
            }
            int withNext = bytes + nextFitted.value().length + CARRY_MARGIN;
            if (limits.checkRecordSize("the step result", withNext).isPresent()) {
                break;
            }
            bytes += nextFitted.value().length;
            carried.add(nextFitted);
            recordHeaders = nextHeaders;
            last = next;
            lastFitted = nextFitted;
        }
        publisher.publish(command, carried.isEmpty() ? fitted : ResultFit.carrying(fitted, carried), recordHeaders,
                done);
    }

    /** Runs one step with a cancel signal (its job's cancel, or its timeout), containing whatever the handler throws. */
    private StepResult execute(StepCommand command) {
        long started = System.nanoTime();
        Duration timeout = Duration.ofMillis(StepCommand.timeoutMs(command.step(), List.of()));
        CancelSignal cancel = steps.start(command.jobId(), timeout);
        StepResult result;
        try {
            result = cancel.isCancelled() ? cancelled(command) : handler.handle(command, cancel);
            if (result == null) {
                result = failed(command, FailureKind.INTERNAL, "the runner's step handler gave no result", started);
            }
        } catch (OutOfMemoryError e) {
            // the run's garbage is unreachable once it unwinds: the heap is back for the next step
            log.error("job {} step {} attempt {}: out of memory", command.jobId(), command.stepIndex(),
                    command.attempt(), e);
            result = failed(command, FailureKind.LIMIT_EXCEEDED, "the step ran out of the runner's memory ("
                    + e.getMessage() + ")", started);
        } catch (Throwable e) {
            log.error("job {} step {} attempt {}: the step handler failed", command.jobId(), command.stepIndex(),
                    command.attempt(), e);
            result = failed(command, FailureKind.INTERNAL, "the step runner failed: " + e, started);
        } finally {
            steps.end(command.jobId(), cancel);
        }
        metrics.stepRan(command, result, System.nanoTime() - started);
        return result;
    }

    private StepResult cancelled(StepCommand command) {
        log.info("job {} step {}: not run, the job was cancelled", command.jobId(), command.stepIndex());
        return StepResult.failed(command, FailureKind.CANCELLED, "the job was cancelled before step "
                + command.stepIndex() + " ran", null, null, 0, clock.instant());
    }

    private StepResult failed(StepCommand command, FailureKind kind, String error, long started) {
        return StepResult.failed(command, kind, error, null, null,
                TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - started), clock.instant());
    }
}
