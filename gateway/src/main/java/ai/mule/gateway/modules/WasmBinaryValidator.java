package ai.mule.gateway.modules;

import ai.mule.gateway.web.ApiException;
import com.dylibso.chicory.wasm.ChicoryException;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.Export;
import com.dylibso.chicory.wasm.types.ExportSection;
import com.dylibso.chicory.wasm.types.ExternalType;

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
        if (!exportsStart(module)) {
            throw ApiException.unprocessable("module_data exports no _start function, so it cannot run as a WASI "
                    + "command; build it as an executable (e.g. a C main() with wasi-sdk) rather than a library");
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
