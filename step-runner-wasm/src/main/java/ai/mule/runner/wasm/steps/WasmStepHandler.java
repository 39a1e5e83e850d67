package ai.mule.runner.wasm.steps;

import ai.mule.runner.wasm.execution.CancelSignal;
import ai.mule.runner.wasm.execution.HostImports;
import ai.mule.runner.wasm.execution.LoadedModule;
import ai.mule.runner.wasm.execution.Mount;
import ai.mule.runner.wasm.execution.MountResolver;
import ai.mule.runner.wasm.execution.RunOptions;
import ai.mule.runner.wasm.execution.StepFailure;
import ai.mule.runner.wasm.execution.WasmOutcome;
import ai.mule.runner.wasm.execution.WasmStepExecutor;
import ai.mule.runner.wasm.host.MuleHostFactory;
import ai.mule.runner.wasm.modules.CompiledModuleCache;
import ai.mule.runner.wasm.modules.ModuleUnavailableException;
import ai.mule.schemas.FailureKind;
import ai.mule.schemas.StepCommand;
import ai.mule.schemas.StepResult;
import ai.mule.schemas.Topics;
import ai.mule.schemas.WasmStep;
import java.time.Clock;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns one step command into the result to publish: fetches the module by sha256, runs it, and makes a
 * result that fits in a Kafka message. Everything that can go wrong with a step becomes a failed result
 * with a readable error; nothing here throws.
 */
public final class WasmStepHandler {

    private static final Logger log = LoggerFactory.getLogger(WasmStepHandler.class);

    private final CompiledModuleCache modules;
    private final WasmStepExecutor executor;
    private final int maxResultBytes;
    private final Clock clock;

    private final CancelledJobs cancelled;
    private final MuleHostFactory hosts;
    private final MountResolver mounts;

    /** A handler without host functions, cancels or mounts (tests of the plain contract). */
    public WasmStepHandler(CompiledModuleCache modules, WasmStepExecutor executor, int maxResultBytes, Clock clock) {
        this(modules, executor, maxResultBytes, clock, new CancelledJobs(), null, new MountResolver(null));
    }

    /** @param hosts makes each run's Mule v2 {@code env} functions; null offers none */
    public WasmStepHandler(CompiledModuleCache modules, WasmStepExecutor executor, int maxResultBytes, Clock clock,
                           CancelledJobs cancelled, MuleHostFactory hosts, MountResolver mounts) {
        this.modules = modules;
        this.executor = executor;
        this.maxResultBytes = maxResultBytes;
        this.clock = clock;
        this.cancelled = cancelled;
        this.hosts = hosts;
        this.mounts = mounts;
    }

    /**
     * The result to publish; empty when the run was interrupted because the runner is stopping, in which
     * case nothing is published and the command, left uncommitted, runs again on another runner.
     */
    public Optional<StepResult> handle(StepCommand command) {
        try {
            return run(command);
        } catch (RuntimeException e) {
            log.error("job {} step {}: the runner failed", command.jobId(), command.stepIndex(), e);
            return Optional.of(failed(command, FailureKind.INTERNAL, "the WASM runner failed: " + e));
        }
    }

    private Optional<StepResult> run(StepCommand command) {
        if (!(command.step() instanceof WasmStep step)) {
            return Optional.of(failed(command, FailureKind.INVALID_INPUT, "the command on " + Topics.STEPS_WASM.name()
                    + " carries no WASM step"));
        }
        if (cancelled.isCancelled(command.jobId())) {
            log.info("job {} step {}: not run, the job was cancelled", command.jobId(), command.stepIndex());
            return Optional.of(failed(command, FailureKind.CANCELLED, "the job was cancelled before step "
                    + step.stepOrder() + " ran"));
        }
        LoadedModule module;
        try {
            module = modules.get(step.sha256());
        } catch (ModuleUnavailableException e) {
            log.warn("job {} step {}: module '{}' unavailable: {}", command.jobId(), command.stepIndex(),
                    step.moduleName(), e.getMessage());
            return Optional.of(failed(command, e.failure().reason().kind(), "module '" + step.moduleName() + "': "
                    + e.getMessage()));
        }
        Mount mount;
        try {
            mount = mounts.resolve(step.config());
        } catch (IllegalArgumentException e) {
            return Optional.of(failed(command, FailureKind.INVALID_INPUT, "module '" + step.moduleName() + "': "
                    + e.getMessage()));
        }
        HostImports host = hosts == null ? HostImports.NONE : hosts.forConfig(step.config());
        CancelSignal cancel = cancelled.track(command.jobId());
        WasmOutcome outcome;
        try {
            outcome = executor.run(module, step, command.input(), new RunOptions(host, cancel, mount));
        } finally {
            cancelled.untrack(command.jobId(), cancel);
        }
        if (!outcome.succeeded()) {
            if (outcome.failure().reason() == StepFailure.Reason.INTERRUPTED) {
                return Optional.empty();
            }
            log.info("job {} step {} attempt {}: module '{}' failed ({}): {}", command.jobId(), command.stepIndex(),
                    command.attempt(), step.moduleName(), outcome.failure().reason(), outcome.failure().message());
        } else if (log.isDebugEnabled()) {
            log.debug("job {} step {} attempt {}: module '{}' ({}) ran in {} us", command.jobId(), command.stepIndex(),
                    command.attempt(), step.moduleName(), module.engine(), outcome.durationMicros());
        }
        return Optional.of(ResultSizeGuard.fit(command, outcome.toStepResult(command, clock.instant()), maxResultBytes));
    }

    private StepResult failed(StepCommand command, FailureKind kind, String error) {
        return StepResult.failed(command, kind, error, null, null, 0, clock.instant());
    }
}
