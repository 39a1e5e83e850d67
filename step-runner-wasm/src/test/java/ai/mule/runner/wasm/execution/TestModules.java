package ai.mule.runner.wasm.execution;

import ai.mule.testkit.WasmFixtures;
import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Test modules loaded once per JVM, compiled or interpreted (compiling costs a fraction of a second). */
public final class TestModules {

    private static final Map<String, LoadedModule> LOADED = new ConcurrentHashMap<>();

    private TestModules() {
    }

    public static LoadedModule load(String name, LoadedModule.Engine engine) {
        return LOADED.computeIfAbsent(name + "/" + engine, key -> {
            byte[] bytes = WasmFixtures.wasm(name);
            String sha256 = WasmFixtures.sha256(bytes);
            WasmModule module = Parser.parse(bytes);
            return engine == LoadedModule.Engine.COMPILED
                    ? new LoadedModule(sha256, module, MachineFactoryCompiler.compile(module), engine)
                    : LoadedModule.interpreted(sha256, module);
        });
    }
}
