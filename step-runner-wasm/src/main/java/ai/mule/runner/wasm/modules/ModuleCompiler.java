package ai.mule.runner.wasm.modules;

import ai.mule.runner.wasm.execution.LoadedModule;
import ai.mule.runner.wasm.execution.StepFailure.Reason;
import com.dylibso.chicory.compiler.InterpreterFallback;
import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.wasm.ChicoryException;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Parses module bytes and compiles them to JVM bytecode with Chicory's compiler: about 0.2 s once per
 * module, after which a small module runs in tens of microseconds instead of milliseconds in the
 * interpreter. A module the compiler cannot handle runs in the interpreter instead, and so does a function too
 * large for one JVM method; both stay stoppable (see {@code InterpreterInterrupts}). A module whose parse or
 * compilation exhausts the heap is refused with {@code limit_exceeded}, and the runner goes on.
 */
public final class ModuleCompiler {

    private static final Logger log = LoggerFactory.getLogger(ModuleCompiler.class);

    private final boolean compile;
    private final long maxFootprint;

    /**
     * A compiler that loads a module only if it would take at most a quarter of this JVM's heap.
     *
     * @param compile false to run every module in the interpreter (no compile time, slower runs)
     */
    public ModuleCompiler(boolean compile) {
        this(compile, Runtime.getRuntime().maxMemory() / 4);
    }

    /**
     * @param maxFootprint the most heap one loaded module may take ({@link ModuleFootprint}): a module past it
     *                     is refused before it is parsed, rather than fill the heap while the runner's other
     *                     threads (its Kafka clients) need it too
     */
    public ModuleCompiler(boolean compile, long maxFootprint) {
        this.compile = compile;
        this.maxFootprint = maxFootprint;
    }

    public LoadedModule load(String sha256, byte[] bytes) {
        long footprint = ModuleFootprint.estimate(bytes);
        if (footprint > maxFootprint) {
            throw new ModuleUnavailableException(Reason.RESOURCE_LIMIT, "module " + sha256 + " (" + mib(bytes.length)
                    + ") is too large for this runner: loading it would take about " + mib(footprint) + " of heap, more "
                    + "than the " + mib(maxFootprint) + " one module may take (a quarter of the runner's heap); give "
                    + "the runner more heap or use a smaller module");
        }
        WasmModule module;
        try {
            module = Parser.parse(bytes);
        } catch (ChicoryException e) {
            throw new ModuleUnavailableException(Reason.MODULE_INVALID,
                    "module " + sha256 + " is not a valid WebAssembly module: " + e.getMessage(), e);
        } catch (OutOfMemoryError | StackOverflowError e) {
            // the parse's own objects are unreachable once it unwinds: the runner goes on
            throw new ModuleUnavailableException(Reason.RESOURCE_LIMIT, "module " + sha256 + " (" + bytes.length
                    + " bytes) is too large for this runner to load: parsing it exhausted the runner's "
                    + (e instanceof OutOfMemoryError ? "heap" : "stack"), null);
        }
        if (!compile) {
            log.info("module {} ({} bytes) will run in the interpreter (compilation is off)", sha256, bytes.length);
            return LoadedModule.interpreted(sha256, module);
        }
        long started = System.nanoTime();
        try {
            // WARN: a function too large for one JVM method runs interpreted, with a line on stderr saying so
            Function<Instance, Machine> machine = MachineFactoryCompiler.builder(module)
                    .withInterpreterFallback(InterpreterFallback.WARN)
                    .compile();
            log.info("module {} ({} bytes) compiled to JVM bytecode in {} ms", sha256, bytes.length, millis(started));
            return new LoadedModule(sha256, module, machine, LoadedModule.Engine.COMPILED);
        } catch (RuntimeException | LinkageError | StackOverflowError e) {
            log.warn("module {} ({} bytes) could not be compiled after {} ms ({}); it will run in the interpreter",
                    sha256, bytes.length, millis(started), e.toString());
            return LoadedModule.interpreted(sha256, module);
        } catch (OutOfMemoryError e) {
            throw new ModuleUnavailableException(Reason.RESOURCE_LIMIT, "module " + sha256 + " (" + bytes.length
                    + " bytes) is too large for this runner to compile: compiling it exhausted the runner's heap", null);
        }
    }

    private static String mib(long bytes) {
        return (bytes + 1024 * 1024 - 1) / (1024 * 1024) + " MiB";
    }

    private static long millis(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1_000_000;
    }
}
