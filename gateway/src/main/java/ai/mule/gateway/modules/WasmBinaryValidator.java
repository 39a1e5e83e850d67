package ai.mule.gateway.modules;

import ai.mule.gateway.web.ApiException;
import com.dylibso.chicory.wasm.ChicoryException;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.Export;
import com.dylibso.chicory.wasm.types.ExportSection;
import com.dylibso.chicory.wasm.types.ExternalType;
import com.dylibso.chicory.wasm.types.FunctionImport;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.Import;
import com.dylibso.chicory.wasm.types.ImportSection;
import com.dylibso.chicory.wasm.types.ValType;

/**
 * Checks that uploaded bytes are a WebAssembly module the runners can execute: the binary header, a full parse
 * (truncated or corrupt modules are refused at upload rather than failing every job later), and an exported
 * {@code _start} function, since modules run as WASI preview-1 commands.
 */
final class WasmBinaryValidator {

    private static final byte[] MAGIC = {0x00, 0x61, 0x73, 0x6d};
    private static final byte[] VERSION_1 = {0x01, 0x00, 0x00, 0x00};

    private WasmBinaryValidator() {
    }

    static void validate(byte[] bytes) {
        if (bytes.length < 8 || !startsWith(bytes, MAGIC, 0)) {
            throw ApiException.unprocessable("module_data is not a WebAssembly binary (it does not start with the "
                    + "\\0asm magic bytes); upload the compiled .wasm file, not source code or a .wat text file");
        }
        if (!startsWith(bytes, VERSION_1, 4)) {
            throw ApiException.unprocessable("module_data is WebAssembly of an unsupported binary version (only "
                    + "version 1 is supported; components are not); build a core module for wasm32-wasi");
        }
        WasmModule module;
        try {
            module = Parser.parse(bytes);
        } catch (ChicoryException | IllegalArgumentException | IndexOutOfBoundsException e) {
            throw ApiException.unprocessable("module_data is not a valid WebAssembly module (" + e.getMessage()
                    + "); the file may be truncated or corrupt, rebuild it and upload again");
        }
        checkImports(module);
        if (!exportsStart(module)) {
            throw ApiException.unprocessable("module_data exports no _start function, so it cannot run as a WASI "
                    + "command; build it as an executable (e.g. a C main() with wasi-sdk) rather than a library");
        }
    }

    /** Every import must be a function the runner links: a WASI preview 1 function or one of Mule's env functions. */
    private static void checkImports(WasmModule module) {
        ImportSection imports = module.importSection();
        for (int i = 0; i < imports.importCount(); i++) {
            Import wanted = imports.getImport(i);
            String what = wanted.module() + "." + wanted.name();
            if (!(wanted instanceof FunctionImport function)) {
                throw ApiException.unprocessable("module_data imports " + wanted.importType().name().toLowerCase()
                        + " '" + what + "', which the runner does not provide: a module may import only functions "
                        + "(WASI preview 1, and Mule's env host functions)");
            }
            if (OfferedImports.WASI.equals(wanted.module())) {
                if (!OfferedImports.WASI_FUNCTIONS.contains(wanted.name())) {
                    throw ApiException.unprocessable("module_data imports '" + what + "', which is not a WASI preview 1 "
                            + "function the runner implements");
                }
            } else if (OfferedImports.ENV.equals(wanted.module())) {
                Integer params = OfferedImports.ENV_FUNCTIONS.get(wanted.name());
                if (params == null) {
                    throw ApiException.unprocessable("module_data imports host function '" + what + "', which Mule does "
                            + "not offer (offered: " + String.join(", ", new java.util.TreeSet<>(
                            OfferedImports.ENV_FUNCTIONS.keySet())) + "; Mule v2's shell, git and working-directory "
                            + "functions are not available)");
                }
                FunctionType type = module.typeSection().getType(function.typeIndex());
                boolean matches = type.params().size() == params
                        && type.params().stream().allMatch(t -> t.equals(ValType.I32))
                        && type.returns().equals(java.util.List.of(ValType.I32));
                if (!matches) {
                    throw ApiException.unprocessable("module_data imports '" + what + "' with the signature " + type
                            + "; Mule's " + wanted.name() + " takes " + params + " i32 parameters and returns an i32");
                }
            } else {
                throw ApiException.unprocessable("module_data imports '" + what + "' from module '" + wanted.module()
                        + "', which the runner does not provide (only " + OfferedImports.WASI + " and "
                        + OfferedImports.ENV + ")");
            }
        }
    }

    private static boolean exportsStart(WasmModule module) {
        ExportSection exports = module.exportSection();
        for (int i = 0; i < exports.exportCount(); i++) {
            Export export = exports.getExport(i);
            if ("_start".equals(export.name()) && export.exportType() == ExternalType.FUNCTION) {
                return true;
            }
        }
        return false;
    }

    private static boolean startsWith(byte[] bytes, byte[] prefix, int at) {
        for (int i = 0; i < prefix.length; i++) {
            if (bytes[at + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
