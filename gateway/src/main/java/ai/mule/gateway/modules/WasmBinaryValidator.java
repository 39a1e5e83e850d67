package ai.mule.gateway.modules;

import ai.mule.wasm.OfferedImports;
import ai.mule.wasm.StructureLimits;
import ai.mule.gateway.web.ApiException;
import com.dylibso.chicory.wasm.ChicoryException;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.types.ElementSection;
import com.dylibso.chicory.wasm.types.Export;
import com.dylibso.chicory.wasm.types.ExportSection;
import com.dylibso.chicory.wasm.types.ExternalType;
import com.dylibso.chicory.wasm.types.FunctionImport;
import com.dylibso.chicory.wasm.types.FunctionSection;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.GlobalSection;
import com.dylibso.chicory.wasm.types.Import;
import com.dylibso.chicory.wasm.types.ImportSection;
import com.dylibso.chicory.wasm.types.MemorySection;
import com.dylibso.chicory.wasm.types.SectionId;
import com.dylibso.chicory.wasm.types.TableSection;
import com.dylibso.chicory.wasm.types.TypeSection;
import com.dylibso.chicory.wasm.types.ValType;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Checks that uploaded bytes are a WebAssembly module the runner can execute, in bounded memory whatever their
 * size: the binary header; the framing of every section (truncated or corrupt files are refused at upload
 * rather than failing every job later); every import offered by the runner; an exported {@code _start}
 * (modules run as WASI preview-1 commands); and {@link StructureLimits}.
 * <p>
 * The module is read once, as a stream, section by section ({@link ModuleReader}). Only the small sections the
 * checks need (types, imports, functions, tables, memories, tags, globals, exports, start, elements, data
 * count) are kept, at most {@link #MAX_DECLARATION_BYTES}, and handed to Chicory's parser; the code, data and
 * custom sections, which are nearly all of a real module, are skipped by their sizes (each function body's
 * size and final {@code end} are checked). Chicory parsing a whole 16 MB module built some 500 MB of
 * instruction objects and ran a 512 MB gateway out of heap; this reads it with a 64 KiB buffer. What is not
 * checked here is each instruction: a function body that does not validate fails its step at the runner
 * ({@code invalid_input}).
 */
final class WasmBinaryValidator {

    /**
     * The kept sections together: real modules need a few hundred KiB (a language runtime's 16 MB build has a
     * few hundred types and imports, tens of thousands of functions at a byte or two each). Chicory's objects
     * for them take up to some 25 times their bytes.
     */
    static final int MAX_DECLARATION_BYTES = 2 * 1024 * 1024;
    /** {@link StructureLimits#MAX_ELEMENT_ENTRIES} entries take at most 7 bytes each. */
    static final int MAX_ELEMENT_SECTION_BYTES = 1024 * 1024;
    /** Import problems named one by one; past these, a count. */
    private static final int IMPORT_PROBLEMS_NAMED = 10;

    private static final byte[] MAGIC = {0x00, 0x61, 0x73, 0x6d};
    private static final byte[] VERSION_1 = {0x01, 0x00, 0x00, 0x00};
    // the binary format's section order (custom sections may appear anywhere); the tag section sits after memory
    private static final int[] ORDER = {SectionId.TYPE, SectionId.IMPORT, SectionId.FUNCTION, SectionId.TABLE,
            SectionId.MEMORY, SectionId.TAG, SectionId.GLOBAL, SectionId.EXPORT, SectionId.START, SectionId.ELEMENT,
            SectionId.DATA_COUNT, SectionId.CODE, SectionId.DATA};
    private static final int END = 0x0b;

    private WasmBinaryValidator() {
    }

    /** A module that passed: its content address and size, computed while it was read. */
    record Checked(String sha256, long sizeBytes) {
    }

    static Checked validate(byte[] bytes) {
        return validate(new ByteArrayInputStream(bytes));
    }

    /**
     * Reads the module from {@code in} to its end.
     *
     * @throws ApiException 422 naming every problem found
     */
    static Checked validate(InputStream in) {
        ModuleReader reader = new ModuleReader(in);
        try {
            byte[] header = reader.readUpTo(8);
            if (header.length < 8 || !startsWith(header, MAGIC, 0)) {
                throw ApiException.unprocessable("module_data is not a WebAssembly binary (it does not start with the "
                        + "\\0asm magic bytes); upload the compiled .wasm file, not source code or a .wat text file");
            }
            if (!startsWith(header, VERSION_1, 4)) {
                throw ApiException.unprocessable("module_data is WebAssembly of an unsupported binary version (only "
                        + "version 1 is supported; components are not); build a core module for wasm32-wasi");
            }
            Sections sections = readSections(reader, header);
            List<String> problems = new ArrayList<>();
            checkImports(sections.types, sections.imports, problems);
            if (!exportsStart(sections.exports)) {
                problems.add("module_data exports no _start function, so it cannot run as a WASI command; build it "
                        + "as an executable (e.g. a C main() with wasi-sdk) rather than a library");
            }
            for (String problem : StructureLimits.problems(sections.types, sections.imports, sections.tables,
                    Optional.ofNullable(sections.memories), sections.globals, sections.elements)) {
                problems.add("module_data cannot run: " + problem);
            }
            if (!problems.isEmpty()) {
                throw ApiException.unprocessable(String.join("; ", problems));
            }
            return new Checked(reader.sha256(), reader.position());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the uploaded module", e);
        } catch (ChicoryException | IllegalArgumentException | IndexOutOfBoundsException | MalformedModule e) {
            throw invalid(e.getMessage());
        }
    }

    /** The sections the checks need, parsed by Chicory; empty sections where the module has none. */
    private static final class Sections {
        TypeSection types = TypeSection.builder().build();
        ImportSection imports = ImportSection.builder().build();
        FunctionSection functions = FunctionSection.builder().build();
        TableSection tables = TableSection.builder().build();
        MemorySection memories;
        GlobalSection globals = GlobalSection.builder().build();
        ExportSection exports = ExportSection.builder().build();
        ElementSection elements = ElementSection.builder().build();
    }

    private static Sections readSections(ModuleReader reader, byte[] header) throws IOException {
        ByteArrayOutputStream declarations = new ByteArrayOutputStream();
        declarations.writeBytes(header);
        int lastOrder = -1;
        long codeBodies = -1;
        int id;
        while ((id = reader.read()) >= 0) {
            long size = reader.readU32("the size of section " + id);
            if (id != SectionId.CUSTOM) {
                int order = orderOf(id);
                if (order <= lastOrder) {
                    throw new MalformedModule("section " + id + " is out of order or repeated");
                }
                lastOrder = order;
            }
            if (id == SectionId.CUSTOM || id == SectionId.DATA) {
                reader.skip(size);
            } else if (id == SectionId.CODE) {
                codeBodies = skipCode(reader, size);
            } else {
                if (id == SectionId.ELEMENT && size > MAX_ELEMENT_SECTION_BYTES) {
                    throw ApiException.unprocessable("module_data cannot run: its element section is " + size
                            + " bytes, more than " + StructureLimits.MAX_ELEMENT_ENTRIES + " element entries (the limit) "
                            + "can take");
                }
                if (declarations.size() + size > MAX_DECLARATION_BYTES) {
                    throw ApiException.unprocessable("module_data declares more than the gateway reads: its type, "
                            + "import, function, table, memory, global, export and element sections take over "
                            + MAX_DECLARATION_BYTES / 1024 / 1024 + " MiB together (the limit on declaration bytes)");
                }
                declarations.write(id);
                writeU32(declarations, size);
                reader.copy(size, declarations);
            }
        }
        Sections sections = new Sections();
        Parser.builder().build().parse(new ByteArrayInputStream(declarations.toByteArray()), section -> {
            switch (section.sectionId()) {
                case SectionId.TYPE -> sections.types = (TypeSection) section;
                case SectionId.IMPORT -> sections.imports = (ImportSection) section;
                case SectionId.FUNCTION -> sections.functions = (FunctionSection) section;
                case SectionId.TABLE -> sections.tables = (TableSection) section;
                case SectionId.MEMORY -> sections.memories = (MemorySection) section;
                case SectionId.GLOBAL -> sections.globals = (GlobalSection) section;
                case SectionId.EXPORT -> sections.exports = (ExportSection) section;
                case SectionId.ELEMENT -> sections.elements = (ElementSection) section;
                default -> {
                    // start, tags, data count: parsed for their validity only
                }
            }
        });
        long declared = sections.functions.functionCount();
        if (Math.max(codeBodies, 0) != declared) {
            throw new MalformedModule("it declares " + declared + " functions but its code section holds "
                    + Math.max(codeBodies, 0) + " bodies");
        }
        return sections;
    }

    /** Skips the code section body by body, checking each one's framing; answers how many bodies it holds. */
    private static long skipCode(ModuleReader reader, long sectionSize) throws IOException {
        long end = reader.position() + sectionSize;
        long count = reader.readU32("the number of function bodies");
        for (long i = 0; i < count; i++) {
            long size = reader.readU32("the size of function body " + i);
            if (size == 0 || reader.position() + size > end) {
                throw new MalformedModule("function body " + i + " runs past the end of the code section");
            }
            if (reader.skip(size) != END) {
                throw new MalformedModule("function body " + i + " does not end with an end instruction");
            }
        }
        if (reader.position() != end) {
            throw new MalformedModule("the code section's size does not match its function bodies");
        }
        return count;
    }

    /** Every import must be a function the runner links: a WASI preview 1 function or one of Mule's env functions. */
    private static void checkImports(TypeSection types, ImportSection imports, List<String> problems) {
        int found = 0;
        for (int i = 0; i < imports.importCount(); i++) {
            String problem = problemWith(imports.getImport(i), types);
            if (problem != null) {
                if (found < IMPORT_PROBLEMS_NAMED) {
                    problems.add(problem);
                }
                found++;
            }
        }
        if (found > IMPORT_PROBLEMS_NAMED) {
            problems.add("and " + (found - IMPORT_PROBLEMS_NAMED) + " more imports the runner does not provide");
        }
    }

    private static String problemWith(Import wanted, TypeSection types) {
        String what = wanted.module() + "." + wanted.name();
        if (!(wanted instanceof FunctionImport function)) {
            return "module_data imports " + wanted.importType().name().toLowerCase() + " '" + what + "', which the "
                    + "runner does not provide: a module may import only functions (WASI preview 1, and Mule's env "
                    + "host functions)";
        }
        if (OfferedImports.WASI.equals(wanted.module())) {
            return OfferedImports.WASI_FUNCTIONS.contains(wanted.name()) ? null : "module_data imports '" + what
                    + "', which is not a WASI preview 1 function the runner implements";
        }
        if (!OfferedImports.ENV.equals(wanted.module())) {
            return "module_data imports '" + what + "' from module '" + wanted.module() + "', which the runner does not "
                    + "provide (only " + OfferedImports.WASI + " and " + OfferedImports.ENV + ")";
        }
        Integer params = OfferedImports.ENV_FUNCTIONS.get(wanted.name());
        if (params == null) {
            return "module_data imports host function '" + what + "', which Mule does not offer (offered: "
                    + String.join(", ", new TreeSet<>(OfferedImports.ENV_FUNCTIONS.keySet())) + "; Mule v2's shell, "
                    + "git and working-directory functions are not available)";
        }
        FunctionType type = function.typeIndex() < types.subTypeCount() ? types.getType(function.typeIndex()) : null;
        boolean matches = type != null && type.params().size() == params
                && type.params().stream().allMatch(t -> t.equals(ValType.I32))
                && type.returns().equals(List.of(ValType.I32));
        return matches ? null : "module_data imports '" + what + "' with the signature "
                + (type == null ? "of type " + function.typeIndex() + ", which is not a function type" : type)
                + "; Mule's " + wanted.name() + " takes " + params + " i32 parameters and returns an i32";
    }

    private static boolean exportsStart(ExportSection exports) {
        for (int i = 0; i < exports.exportCount(); i++) {
            Export export = exports.getExport(i);
            if ("_start".equals(export.name()) && export.exportType() == ExternalType.FUNCTION) {
                return true;
            }
        }
        return false;
    }

    private static int orderOf(int id) {
        for (int i = 0; i < ORDER.length; i++) {
            if (ORDER[i] == id) {
                return i;
            }
        }
        throw new MalformedModule("unknown section id " + id);
    }

    private static ApiException invalid(String reason) {
        return ApiException.unprocessable("module_data is not a valid WebAssembly module (" + reason
                + "); the file may be truncated or corrupt, rebuild it and upload again");
    }

    private static void writeU32(ByteArrayOutputStream out, long value) {
        do {
            int b = (int) (value & 0x7f);
            value >>>= 7;
            out.write(value != 0 ? b | 0x80 : b);
        } while (value != 0);
    }

    private static boolean startsWith(byte[] bytes, byte[] prefix, int at) {
        for (int i = 0; i < prefix.length; i++) {
            if (bytes[at + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    /** Bytes that break the binary format's framing. */
    static final class MalformedModule extends RuntimeException {

        MalformedModule(String message) {
            super(message, null, false, false);
        }
    }
}
