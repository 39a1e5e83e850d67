package ai.mule.runner.wasm.execution;

import com.dylibso.chicory.runtime.HostFunction;
import java.io.OutputStream;
import java.util.List;

/**
 * Functions a run offers its module besides WASI (Mule v2's {@code env} imports). Made anew for every
 * run: the functions keep per-run state (the last HTTP response, the last operation), never shared.
 */
@FunctionalInterface
public interface HostImports {

    HostImports NONE = stderr -> List.of();

    /** @param stderr the run's stderr, where a refused call explains itself to the module's author */
    List<HostFunction> functions(OutputStream stderr);
}
