package ai.mule.wasm;

import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.CompType;
import com.dylibso.chicory.wasm.types.ElementSection;
import com.dylibso.chicory.wasm.types.ExternalType;
import com.dylibso.chicory.wasm.types.GlobalSection;
import com.dylibso.chicory.wasm.types.Import;
import com.dylibso.chicory.wasm.types.ImportSection;
import com.dylibso.chicory.wasm.types.MemorySection;
import com.dylibso.chicory.wasm.types.TableImport;
import com.dylibso.chicory.wasm.types.TableSection;
import com.dylibso.chicory.wasm.types.TypeSection;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a module may declare outside its linear memory (which the runner's memory ceiling caps). Every run
 * allocates these on the runner's heap, so they are capped too: sixty {@code (table 10000000 funcref)} would ask
 * for about 7 GB. The numbers leave real modules (a wasi-sdk or Emscripten build of a language runtime declares
 * one table of a few thousand functions, a few hundred globals) far below them.
 * <p>
 * The gateway refuses such modules at upload (422 naming the limit); the runner checks again before
 * instantiating, for modules stored before the limits existed, and fails the step with {@code limit_exceeded}.
 */
public final class StructureLimits {

    /**
     * Table elements over all tables, imported or defined: their initial sizes, and what a run may grow them
     * to together ({@code table.grow} past it returns -1). An element costs about 12 bytes of heap per run,
     * so the cap is about 1.2 MB per run.
     */
    public static final int MAX_TABLE_ELEMENTS = 100_000;
    /** Tables, imported or defined: each costs a few objects per run even when empty. */
    public static final int MAX_TABLES = 100;
    /** Entries over all element segments, kept parsed in memory with the module (about 100 bytes each). */
    public static final int MAX_ELEMENT_ENTRIES = 100_000;
    /** Globals, imported or defined: an object per global per run. */
    public static final int MAX_GLOBALS = 100_000;
    /** Linear memories: the memory ceiling is per memory, so a second memory would double it. */
    public static final int MAX_MEMORIES = 1;

    private StructureLimits() {
    }

    /** Why the runner refuses to instantiate this module, naming each limit it breaks; empty if none. */
    public static Optional<String> violation(WasmModule module) {
        List<String> problems = problems(module.typeSection(), module.importSection(), module.tableSection(),
                module.memorySection(), module.globalSection(), module.elementSection());
        return problems.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", problems));
    }

    public static List<String> problems(TypeSection types, ImportSection imports, TableSection tables,
                                 Optional<MemorySection> memories, GlobalSection globals, ElementSection elements) {
        List<String> problems = new ArrayList<>();
        long tableCount = tables.tableCount();
        long tableElements = 0;
        for (int i = 0; i < tables.tableCount(); i++) {
            tableElements += tables.getTable(i).limits().min();
        }
        for (int i = 0; i < imports.importCount(); i++) {
            Import imported = imports.getImport(i);
            if (imported instanceof TableImport table) {
                tableCount++;
                tableElements += table.limits().min();
            }
        }
        if (tableCount > MAX_TABLES) {
            problems.add("it declares " + tableCount + " tables, above the limit of " + MAX_TABLES + " tables");
        }
        if (tableElements > MAX_TABLE_ELEMENTS) {
            problems.add("its tables start with " + tableElements + " elements in all, above the limit of "
                    + MAX_TABLE_ELEMENTS + " table elements");
        }
        long elementEntries = 0;
        for (int i = 0; i < elements.elementCount(); i++) {
            elementEntries += elements.getElement(i).elementCount();
        }
        if (elementEntries > MAX_ELEMENT_ENTRIES) {
            problems.add("its element segments hold " + elementEntries + " entries in all, above the limit of "
                    + MAX_ELEMENT_ENTRIES + " element entries");
        }
        long globalCount = globals.globalCount() + (long) imports.count(ExternalType.GLOBAL);
        if (globalCount > MAX_GLOBALS) {
            problems.add("it declares " + globalCount + " globals, above the limit of " + MAX_GLOBALS + " globals");
        }
        long memoryCount = memories.map(MemorySection::memoryCount).orElse(0) + (long) imports.count(ExternalType.MEMORY);
        if (memoryCount > MAX_MEMORIES) {
            problems.add("it declares " + memoryCount + " memories; the runner caps one linear memory per module");
        }
        if (declaresGcTypes(types)) {
            problems.add("it declares struct or array types (WebAssembly GC): their allocations on the runner's "
                    + "heap cannot be capped, so the runner does not run them");
        }
        return problems;
    }

    private static boolean declaresGcTypes(TypeSection types) {
        for (int i = 0; i < types.subTypeCount(); i++) {
            CompType type = types.getSubType(i).compType();
            if (type.structType() != null || type.arrayType() != null) {
                return true;
            }
        }
        return false;
    }
}
