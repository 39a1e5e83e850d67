package ai.mule.runner.wasm.execution;

import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.InterpreterMachine;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.ExportSection;
import com.dylibso.chicory.wasm.types.ExternalType;
import java.util.function.Function;

/**
 * A parsed module and the machine that executes it (JVM bytecode compiled once, or the interpreter),
 * shared by every run of the module. Immutable: each run builds its own Instance from it.
 *
 * @param sha256 the content address the module was fetched by
 */
public record LoadedModule(String sha256, WasmModule module, Function<Instance, Machine> machineFactory,
                           Engine engine) {

    public enum Engine { COMPILED, INTERPRETED }

    public static LoadedModule interpreted(String sha256, WasmModule module) {
        return new LoadedModule(sha256, module, InterpreterMachine::new, Engine.INTERPRETED);
    }

    boolean exportsFunction(String name) {
        ExportSection exports = module.exportSection();
        for (int i = 0; i < exports.exportCount(); i++) {
            if (exports.getExport(i).exportType() == ExternalType.FUNCTION && exports.getExport(i).name().equals(name)) {
                return true;
            }
        }
        return false;
    }
}
