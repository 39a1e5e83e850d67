package ai.mule.runner.wasm.steps;

import ai.mule.runner.runtime.StepHandler;
import ai.mule.runner.wasm.execution.CancelSignal;
import ai.mule.runner.wasm.execution.HostImports;
import ai.mule.runner.wasm.execution.LoadedModule;
import ai.mule.runner.wasm.execution.Mount;
import ai.mule.runner.wasm.execution.MountResolver;
import ai.mule.runner.wasm.execution.RunOptions;
import ai.mule.runner.wasm.execution.WasmOutcome;
import ai.mule.runner.wasm.execution.WasmStepExecutor;
import ai.mule.runner.wasm.host.MuleHostFactory;
import ai.mule.runner.wasm.modules.CompiledModuleCache;
import ai.mule.runner.wasm.modules.ModuleUnavailableException;
import ai.mule.schemas.FailureKind;
import ai.mule.schemas.StepCaller;
import ai.mule.schemas.StepCommand;
import ai.mule.schemas.StepResult;
import ai.mule.schemas.Topics;
import ai.mule.schemas.WasmStep;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WASM runner's step handler: fetches the module by sha256, runs it under its limits, and answers with its
 * result. A cancel of the job stops the run through the executor's own signal (the interrupt that also ends a
 * run at its timeout, told apart after it). Everything that can go wrong with a module becomes a failed
 * result with a readable error; the runtime keeps the result within the limits and publishes it.
 */
public final class WasmStepHandler implements StepHandler {

    private static final Logger log = LoggerFactory.getLogger(WasmStepHandler.class);

    private final CompiledModuleCache modules;
    private final WasmStepExecutor executor;
    private final Clock clock;
    private final MuleHostFactory hosts;
    private final MountResolver mounts;

    /** A handler without host functions or mounts (tests of the plain contract). */
    public WasmStepHandler(CompiledModuleCache modules, WasmStepExecutor executor, Clock clock) {
        this(modules, executor, clock, null, new MountResolver(null));
    }

    /** @param hosts makes each run's Mule v2 {@code env} functions; null offers none */
    public WasmStepHandler(CompiledModuleCache modules, WasmStepExecutor executor, Clock clock,
                           MuleHostFactory hosts, MountResolver mounts) {
        this.modules = modules;
        this.executor = executor;
        this.clock = clock;
        this.hosts = hosts;
        this.mounts = mounts;
    }

    @Override
    public StepResult handle(StepCommand command, ai.mule.runner.runtime.CancelSignal cancel) {
        // from the start, so that a cancel while the module loads does not interrupt the database read or the
        // compilation: the run then ends as soon as it starts
        CancelSignal run = new CancelSignal();
        cancel.onCancel(run::cancel);
        if (!(command.step() instanceof WasmStep step)) {
            return failed(command, FailureKind.INVALID_INPUT, "the command on " + Topics.STEPS_WASM.name()
                    + " carries no WASM step");
        }
        LoadedModule module;
        try {
            module = modules.get(step.sha256());
        } catch (ModuleUnavailableException e) {
            log.warn("job {} step {}: module '{}' unavailable: {}", command.jobId(), command.stepIndex(),
                    step.moduleName(), e.getMessage());
            return failed(command, e.failure().reason().kind(), "module '" + step.moduleName() + "': "
                    + e.getMessage());
        }
        Mount mount;
        try {
            mount = mounts.resolve(step.config(), step.workingDirectory());
        } catch (IllegalArgumentException e) {
            return failed(command, FailureKind.INVALID_INPUT, "module '" + step.moduleName() + "': " + e.getMessage());
        }
        HostImports host = hosts == null ? HostImports.NONE : hosts.forStep(step.config(), StepCaller.of(command), cancel);
        WasmOutcome outcome = executor.run(module, step, command.input(), new RunOptions(host, run, mount));
        if (!outcome.succeeded()) {
            log.info("job {} step {} attempt {}: module '{}' failed ({}): {}", command.jobId(), command.stepIndex(),
                    command.attempt(), step.moduleName(), outcome.failure().reason(), outcome.failure().message());
        } else if (log.isDebugEnabled()) {
            log.debug("job {} step {} attempt {}: module '{}' ({}) ran in {} us", command.jobId(), command.stepIndex(),
                    command.attempt(), step.moduleName(), module.engine(), outcome.durationMicros());
        }
        return outcome.toStepResult(command, clock.instant());
    }

    private StepResult failed(StepCommand command, FailureKind kind, String error) {
        return StepResult.failed(command, kind, error, null, null, 0, clock.instant());
    }
}
