package ai.mule.runner.wasm.execution;

import ai.mule.wasm.StructureLimits;
import ai.mule.runner.wasm.execution.StepFailure.Reason;
import ai.mule.schemas.Limits;
import ai.mule.schemas.WasmStep;
import com.dylibso.chicory.log.SystemLogger;
import com.dylibso.chicory.runtime.ChicoryInterruptedException;
import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.runtime.TrapException;
import com.dylibso.chicory.runtime.WasmRuntimeException;
import com.dylibso.chicory.wasi.WasiExitException;
import com.dylibso.chicory.wasi.WasiOptions;
import com.dylibso.chicory.wasi.WasiPreview1;
import com.dylibso.chicory.wasm.ChicoryException;
import com.dylibso.chicory.wasm.InvalidException;
import com.dylibso.chicory.wasm.MalformedException;
import com.dylibso.chicory.wasm.UninstantiableException;
import com.dylibso.chicory.wasm.UnlinkableException;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one WASM step as a WASI preview 1 command, under Mule v2's module contract and this runner's
 * limits.
 * <p>
 * The sandbox: stdin is the merged config and input ({@link ModuleInput}); no host directory, no
 * environment variables, the module name as the only argument; stdout and stderr captured up to their
 * caps; linear memory capped at {@link WasmLimits#maxMemoryPages()}, tables, globals and the like at
 * {@link StructureLimits}; a wall-clock timeout that stops compiled and interpreted code alike. {@code
 * _initialize} runs first if exported, then {@code _start}; {@code proc_exit(0)} is a normal end.
 * <p>
 * Thread-safe: every run builds its own WASI context and Instance from the shared, immutable
 * {@link LoadedModule}, so concurrent runs share no mutable state (Mule v2's executor did, and mixed
 * runs up). A run never throws for anything the module does: every ending is a {@link WasmOutcome}, including
 * an OutOfMemoryError or StackOverflowError the run causes ({@code limit_exceeded}).
 */
public final class WasmStepExecutor implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WasmStepExecutor.class);
    private static final int STDERR_IN_ERROR_CHARS = 1_000;
    // WASI's random_get promises high-quality randomness (modules seed crypto with it); SecureRandom is thread-safe
    private static final SecureRandom RANDOM = new SecureRandom();
    /**
     * Given to every run's WASI: without a logger, Chicory's builder probes for Android by loading a class that is
     * not there, and in the service's nested-jar class loader that failed lookup cost more than the run itself
     * (issue 14: 42% of a step thread's time). It keeps no state, so all runs share it.
     */
    private static final com.dylibso.chicory.log.Logger WASI_LOGGER = new SystemLogger();

    private final WasmLimits limits;
    private final ModuleOutput output;
    private final RunWatchdog watchdog = new RunWatchdog();

    /** An executor whose stdout reading uses {@link Limits#DEFAULTS}. */
    public WasmStepExecutor(WasmLimits limits) {
        this(limits, Limits.DEFAULTS);
    }

    /** @param pipeline the pipeline's limits: a stdout nested deeper than its {@code maxJsonDepth} fails the step */
    public WasmStepExecutor(WasmLimits limits, Limits pipeline) {
        this.limits = limits;
        this.output = new ModuleOutput(pipeline);
    }

    public WasmLimits limits() {
        return limits;
    }

    /** Runs the step's module with its config and this input, under the step's time limit (its policy). */
    public WasmOutcome run(LoadedModule module, WasmStep step, JsonNode input) {
        return run(module, step, input, RunOptions.NONE);
    }

    public WasmOutcome run(LoadedModule module, WasmStep step, JsonNode input, RunOptions options) {
        return run(module, step.moduleName(), step.config(), input, timeoutOf(step), options);
    }

    public WasmOutcome run(LoadedModule module, String moduleName, JsonNode config, JsonNode input, Duration timeout) {
        return run(module, moduleName, config, input, timeout, RunOptions.NONE);
    }

    /** The step's own limit ({@code policy.timeout_ms}), else the runner's default. */
    public Duration timeoutOf(WasmStep step) {
        return step.policy() != null ? Duration.ofMillis(step.policy().timeoutMs()) : limits.timeout();
    }

    public WasmOutcome run(LoadedModule module, String moduleName, JsonNode config, JsonNode input, Duration timeout,
                           RunOptions options) {
        long started = System.nanoTime();
        String name = moduleName == null || moduleName.isBlank() ? module.sha256() : moduleName;
        byte[] stdin;
        try {
            stdin = ModuleInput.stdin(config, input);
        } catch (IllegalArgumentException e) {
            return WasmOutcome.failed(StepFailure.of(Reason.INVALID_INPUT, "module '" + name + "': " + e.getMessage()),
                    null, null, micros(started));
        }
        if (!module.exportsFunction(Instance.START_FUNCTION_NAME)) {
            return WasmOutcome.failed(StepFailure.of(Reason.NOT_A_COMMAND, "module '" + name
                    + "' exports no _start function: a step must be a WASI command"), null, null, micros(started));
        }
        Optional<String> tooLarge = StructureLimits.violation(module.module());
        if (tooLarge.isPresent()) {
            return WasmOutcome.failed(StepFailure.of(Reason.STRUCTURE_LIMIT, "module '" + name + "' cannot run: "
                    + tooLarge.get()), null, null, micros(started));
        }
        Run run = new Run(module, name, stdin, options);
        RunWatchdog.Deadline deadline = watchdog.arm(timeout);
        CancelSignal cancel = options.cancel();
        if (cancel != null) {
            cancel.whileRunning(deadline::cancel);
        }
        StepFailure failure;
        try {
            failure = run.execute();
        } finally {
            if (cancel != null) {
                cancel.runEnded();
            }
            deadline.disarm();
        }
        if (deadline.cancelled()) {
            failure = StepFailure.of(Reason.CANCELLED, "module '" + name + "' was stopped: its job was cancelled");
        } else if (deadline.expired()) {
            failure = StepFailure.of(Reason.TIMEOUT, "module '" + name + "' did not finish within its time limit of "
                    + describe(timeout));
        }
        String stdout = run.stdout.text();
        String stderr = run.stderr.text();
        if (failure != null) {
            return WasmOutcome.failed(failure, stdout, stderr, micros(started));
        }
        ModuleOutput.Reading reading = output.read(stdout);
        if (reading.failed()) {
            return WasmOutcome.failed(reading.failure(), stdout, stderr, micros(started));
        }
        return WasmOutcome.succeeded(reading.output(), stdout, stderr, micros(started));
    }

    @Override
    public void close() {
        watchdog.close();
    }

    /** The state of one run: its streams and its memory, which it shares with nothing. */
    private final class Run {

        private final LoadedModule module;
        private final String name;
        private final byte[] stdin;
        private final CappedOutputStream stdout = new CappedOutputStream("stdout", limits.maxStdoutBytes());
        private final CappedOutputStream stderr = new CappedOutputStream("stderr", limits.maxStderrBytes());
        private final RunOptions options;
        private Memory memory;

        Run(LoadedModule module, String name, byte[] stdin, RunOptions options) {
            this.module = module;
            this.name = name;
            this.stdin = stdin;
            this.options = options;
        }

        /** Null when the module ran to its end (or called proc_exit(0)), else why it did not. */
        StepFailure execute() {
            WasiOptions.Builder wasiOptions = WasiOptions.builder()
                    .withStdin(new ByteArrayInputStream(stdin), false)
                    .withStdout(stdout, false)
                    .withStderr(stderr, false)
                    .withArguments(List.of(name))
                    .withRandom(RANDOM);
            Mount mount = options.mount();
            if (mount != null) {
                wasiOptions.withDirectory(mount.guestPath(), mount.hostPath());
            }
            try (WasiPreview1 wasi = WasiPreview1.builder().withLogger(WASI_LOGGER).withOptions(wasiOptions.build())
                    .build()) {
                HostFunction[] wasiFunctions = mount == null ? wasi.toHostFunctions()
                        : ContainedWasi.wrap(ReadOnlyWasi.wrap(wasi.toHostFunctions()), mount.hostPath());
                ImportValues imports = ImportValues.builder()
                        .addFunction(wasiFunctions)
                        .addFunction(options.host().functions(stderr).toArray(new HostFunction[0]))
                        .build();
                Instance instance = Instance.builder(module.module())
                        .withMachineFactory(module.machineFactory())
                        .withImportValues(imports)
                        .withMemoryFactory(this::cappedMemory)
                        .withTableFactory(new TableBudget())
                        // stops interpreted loops whose only back edge is a br_if or br_table
                        .withUnsafeExecutionListener(InterpreterInterrupts.LISTENER)
                        .withStart(false)
                        .build();
                if (module.exportsFunction("_initialize")) {
                    instance.export("_initialize").apply();
                }
                instance.export(Instance.START_FUNCTION_NAME).apply();
                return null;
            } catch (WasiExitException e) {
                return e.exitCode() == 0 ? null : afterMemory(StepFailure.of(Reason.EXIT_CODE,
                        "module '" + name + "' exited with code " + e.exitCode() + stderrExcerpt()));
            } catch (OutputLimitExceededException e) {
                return StepFailure.of(Reason.OUTPUT_LIMIT, "module '" + name + "' " + e.getMessage());
            } catch (MemoryCeilingException e) {
                return StepFailure.of(Reason.MEMORY_LIMIT, "module '" + name + "' " + e.getMessage());
            } catch (TableBudget.StructureLimitException e) {
                return StepFailure.of(Reason.STRUCTURE_LIMIT, "module '" + name + "' cannot run: " + e.getMessage());
            } catch (TrapException | WasmRuntimeException e) {
                // Chicory throws the first for unreachable, the second for arithmetic and out-of-bounds traps
                return afterMemory(StepFailure.of(Reason.TRAP, "module '" + name + "' trapped: " + e.getMessage()));
            } catch (UnlinkableException e) {
                return StepFailure.of(Reason.MODULE_UNLINKABLE, "module '" + name + "' cannot be linked: " + e.getMessage()
                        + " (this runner offers WASI preview 1 and Mule's env host functions only)");
            } catch (InvalidException | MalformedException | UninstantiableException e) {
                return StepFailure.of(Reason.MODULE_INVALID, "module '" + name + "' cannot be instantiated: " + e.getMessage());
            } catch (ChicoryInterruptedException e) {
                // the watchdog's timeout, or the runner stopping: the caller tells them apart
                return StepFailure.of(Reason.INTERRUPTED, "the run of module '" + name + "' was interrupted");
            } catch (ChicoryException e) {
                // anything else the runtime stops a module for: call stack exhausted, an unsupported WASI call...
                return afterMemory(StepFailure.of(Reason.TRAP, "module '" + name + "' failed: " + e.getMessage()));
            } catch (RuntimeException e) {
                log.error("running module {} ({}) failed in the runner", name, module.sha256(), e);
                return StepFailure.of(Reason.RUNNER_ERROR, "the runner failed to run module '" + name + "': " + e);
            } catch (OutOfMemoryError e) {
                // Safe to go on: what filled the heap was this run's (its memory, tables, interpreter stacks), and
                // it is unreachable once the run unwinds. Other Errors are not caught: they say the JVM is unwell.
                memory = null;
                log.warn("module {} ({}) exhausted the runner's heap: {}", name, module.sha256(), e.getMessage());
                return StepFailure.of(Reason.RESOURCE_LIMIT, "module '" + name + "' exhausted the runner's heap ("
                        + e.getMessage() + ")");
            } catch (StackOverflowError e) {
                return StepFailure.of(Reason.RESOURCE_LIMIT, "module '" + name + "' exhausted the runner's call stack "
                        + "(recursion too deep)");
            }
        }

        /**
         * Every memory the module defines, with its maximum lowered to the ceiling. memory.grow beyond it
         * returns -1 to the module, which then usually traps or exits: {@link #afterMemory} explains that.
         */
        private Memory cappedMemory(MemoryLimits declared) {
            int ceiling = limits.maxMemoryPages();
            if (declared.initialPages() > ceiling) {
                throw new MemoryCeilingException(declared.initialPages(), ceiling);
            }
            Memory created = new FreshMemory(new MemoryLimits(declared.initialPages(),
                    Math.min(declared.maximumPages(), ceiling), declared.shared()));
            if (memory == null) {
                memory = created;
            }
            return created;
        }

        /** A trap or exit with memory grown to the ceiling is most likely a refused allocation. */
        private StepFailure afterMemory(StepFailure failure) {
            int ceiling = limits.maxMemoryPages();
            if (memory == null || memory.pages() < ceiling) {
                return failure;
            }
            return StepFailure.of(Reason.MEMORY_LIMIT, failure.message() + " after its memory reached the ceiling of "
                    + ceiling + " pages (" + ByteSizes.describe((long) ceiling * WasmLimits.PAGE_BYTES) + ")");
        }

        private String stderrExcerpt() {
            String text = stderr.text().strip();
            if (text.isEmpty()) {
                return " (nothing on stderr)";
            }
            return ": " + (text.length() <= STDERR_IN_ERROR_CHARS ? text
                    : "..." + text.substring(text.length() - STDERR_IN_ERROR_CHARS));
        }
    }

    /** A module whose initial memory alone is above the ceiling: refused before it runs. */
    private static final class MemoryCeilingException extends RuntimeException {

        MemoryCeilingException(int initialPages, int ceiling) {
            super("needs " + initialPages + " pages of memory to start, above the ceiling of " + ceiling + " pages ("
                    + ByteSizes.describe((long) ceiling * WasmLimits.PAGE_BYTES) + ")", null, false, false);
        }
    }

    private static long micros(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1_000;
    }

    private static String describe(Duration duration) {
        long millis = duration.toMillis();
        return millis % 1_000 == 0 ? millis / 1_000 + " s" : millis + " ms";
    }
}
