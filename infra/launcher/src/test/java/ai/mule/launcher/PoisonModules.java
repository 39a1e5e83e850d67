package ai.mule.launcher;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Hostile but legal WebAssembly modules for the poison suite, written here (WAT through Debian's {@code wat2wasm},
 * or bytes for the ones too large for text) so that each hazard is visible in its source.
 */
final class PoisonModules {

    private PoisonModules() {
    }

    /** A module that writes exactly {@code stdout} and ends. */
    static byte[] emitting(String stdout) throws IOException, InterruptedException {
        byte[] text = stdout.getBytes(StandardCharsets.UTF_8);
        int pages = (16 + text.length) / 65536 + 1;
        return wat("""
                (module
                  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
                  (memory (export "memory") %d)
                  (data (i32.const 16) "%s")
                  (func (export "_start")
                    (i32.store (i32.const 0) (i32.const 16))
                    (i32.store (i32.const 4) (i32.const %d))
                    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))
                """.formatted(pages, watString(text), text.length));
    }

    /** A module that asks for {@code pages} more pages of linear memory at once. */
    static byte[] growingMemory(int pages) throws IOException, InterruptedException {
        return wat("""
                (module
                  (memory (export "memory") 1)
                  (func (export "_start")
                    (drop (memory.grow (i32.const %d)))
                    (i32.store (i32.const 0) (i32.const 1))))
                """.formatted(pages));
    }

    /** Sixty tables of ten million entries each: 600 million references outside linear memory. */
    static byte[] hugeTables() throws IOException, InterruptedException {
        return wat("(module\n" + "  (table 10000000 funcref)\n".repeat(60) + "  (func (export \"_start\")))\n");
    }

    /**
     * A {@code loop ... br_if} that never ends, inside a function too large for Chicory's compiler (one JVM method
     * holds at most 64 KiB of bytecode), so that it can only run in the interpreter.
     */
    static byte[] interpretedEndlessLoop() throws IOException, InterruptedException {
        StringBuilder filler = new StringBuilder();
        for (int i = 0; i < 30_000; i++) {
            filler.append("    (local.set $x (i32.add (local.get $x) (i32.const ").append(i).append(")))\n");
        }
        return wat("""
                (module
                  (memory (export "memory") 1)
                  (func (export "_start") (local $x i32)
                %s
                    (loop $forever
                      (local.set $x (i32.add (local.get $x) (i32.const 1)))
                      (br_if $forever (i32.const 1)))))
                """.formatted(filler));
    }

    /**
     * About {@code megabytes} MB of real code (thousands of functions), importing from a module Mule does not offer
     * and exporting no {@code _start}: the shape of a language runtime built for another host (ruby.wasm).
     */
    static byte[] bigForeignModule(int megabytes) {
        int functions = megabytes * 128;
        int instructionsPerFunction = 8 * 1024 / 3;
        ByteArrayOutputStream module = new ByteArrayOutputStream();
        module.writeBytes(new byte[] {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00});
        section(module, 1, concat(leb(1), new byte[] {0x60, 0x00, 0x00}));
        section(module, 2, concat(leb(1), name("ruby"), name("rb_require"), new byte[] {0x00}, leb(0)));
        ByteArrayOutputStream declared = new ByteArrayOutputStream();
        declared.writeBytes(leb(functions));
        for (int i = 0; i < functions; i++) {
            declared.writeBytes(leb(0));
        }
        section(module, 3, declared.toByteArray());
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(leb(0));
        for (int i = 0; i < instructionsPerFunction; i++) {
            body.writeBytes(new byte[] {0x41, 0x00, 0x1a});
        }
        body.write(0x0b);
        byte[] oneBody = body.toByteArray();
        ByteArrayOutputStream code = new ByteArrayOutputStream();
        code.writeBytes(leb(functions));
        for (int i = 0; i < functions; i++) {
            code.writeBytes(leb(oneBody.length));
            code.writeBytes(oneBody);
        }
        section(module, 10, code.toByteArray());
        return module.toByteArray();
    }

    private static byte[] wat(String source) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("poison-wat");
        Path wat = dir.resolve("module.wat");
        Path wasm = dir.resolve("module.wasm");
        Files.writeString(wat, source);
        Process process = new ProcessBuilder("wat2wasm", "-o", wasm.toString(), wat.toString())
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException("wat2wasm (Debian's wabt) failed: " + output);
        }
        return Files.readAllBytes(wasm);
    }

    /** Bytes as a WAT string literal: printable ASCII as is, everything else as {@code \hh}. */
    private static String watString(byte[] bytes) {
        StringBuilder out = new StringBuilder(bytes.length);
        for (byte b : bytes) {
            int c = b & 0xff;
            if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
                out.append((char) c);
            } else {
                out.append('\\').append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 15, 16));
            }
        }
        return out.toString();
    }

    private static void section(ByteArrayOutputStream module, int id, byte[] content) {
        module.write(id);
        module.writeBytes(leb(content.length));
        module.writeBytes(content);
    }

    private static byte[] name(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return concat(leb(bytes.length), bytes);
    }

    private static byte[] leb(int value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int rest = value;
        do {
            int b = rest & 0x7f;
            rest >>>= 7;
            out.write(rest == 0 ? b : b | 0x80);
        } while (rest != 0);
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
