package ai.mule.gateway.modules;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * A module shaped like a language runtime built for WASI (ruby.wasm is 16 MB): some ten thousand valid
 * functions of loads, arithmetic, blocks and calls making up nearly all of it, a function table filled by an
 * element segment, a stack-pointer global, a megabyte of data and a debug-info custom section. Generated rather
 * than checked in, deterministically; every function body is valid, so Chicory's full parse accepts it.
 * <p>
 * As a {@link Kind#LIBRARY} it also has what ruby.wasm has: imports the runner does not provide (a JS host's
 * {@code rb-js-abi-host} functions, {@code wasi_snapshot_preview1.sock_open}, an {@code env} function Mule does
 * not offer) and no {@code _start}. As a {@link Kind#COMMAND} it imports WASI functions the runner implements
 * and exports {@code _start}.
 */
final class RealisticModule {

    enum Kind { COMMAND, LIBRARY }

    private static final int FUNC = 0x60;
    private static final int I32 = 0x7f;
    private static final int TABLE_SIZE = 5_000;
    private static final int DATA_BYTES = 1024 * 1024;
    private static final int DEBUG_BYTES = 256 * 1024;

    private RealisticModule() {
    }

    static byte[] of(int targetBytes, Kind kind) {
        String[][] imports = kind == Kind.COMMAND
                ? new String[][] {{"wasi_snapshot_preview1", "fd_write", "1"}, {"wasi_snapshot_preview1", "proc_exit", "2"},
                        {"wasi_snapshot_preview1", "sock_accept", "3"}, {"wasi_snapshot_preview1", "random_get", "4"}}
                : new String[][] {{"wasi_snapshot_preview1", "fd_write", "1"}, {"wasi_snapshot_preview1", "proc_exit", "2"},
                        {"wasi_snapshot_preview1", "sock_accept", "3"}, {"wasi_snapshot_preview1", "sock_open", "3"},
                        {"rb-js-abi-host", "js-value-call", "1"}, {"rb-js-abi-host", "js-global-this", "5"},
                        {"rb-js-abi-host", "reflect-apply", "1"}, {"env", "rb_wasm_setjmp", "4"}};
        int imported = imports.length;
        Random random = new Random(16);
        // function 0 is _start (or _initialize), () -> (); the others (i32) -> i32, about 1.2 KB each
        int bodies = 1 + (targetBytes - DATA_BYTES - DEBUG_BYTES - 64 * 1024) / 1_190;
        Out code = new Out().u32(bodies).u32(2).bytes(0x00, 0x0b);
        for (int i = 1; i < bodies; i++) {
            Out body = body(random, imported + 1, bodies - 1);
            code.u32(body.size()).append(body);
        }


        Out module = new Out().bytes(0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00);
        // types: 0 = (i32) -> i32, 1 = (i32 i32 i32 i32) -> i32, 2 = (i32) -> (), 3 = (i32 i32 i32) -> i32,
        // 4 = (i32 i32) -> i32, 5 = () -> i32, 6 = () -> ()
        module.section(1, new Out().u32(7)
                .bytes(FUNC, 1, I32, 1, I32)
                .bytes(FUNC, 4, I32, I32, I32, I32, 1, I32)
                .bytes(FUNC, 1, I32, 0)
                .bytes(FUNC, 3, I32, I32, I32, 1, I32)
                .bytes(FUNC, 2, I32, I32, 1, I32)
                .bytes(FUNC, 0, 1, I32)
                .bytes(FUNC, 0, 0));
        Out importSection = new Out().u32(imported);
        for (String[] entry : imports) {
            importSection.name(entry[0]).name(entry[1]).bytes(0x00).u32(Integer.parseInt(entry[2]));
        }
        module.section(2, importSection);
        Out functions = new Out().u32(bodies).u32(6);
        for (int i = 1; i < bodies; i++) {
            functions.u32(0);
        }
        module.section(3, functions);
        module.section(4, new Out().u32(1).bytes(0x70, 0x01).u32(TABLE_SIZE).u32(TABLE_SIZE));
        module.section(5, new Out().u32(1).bytes(0x00).u32(256));
        module.section(6, new Out().u32(1).bytes(I32, 0x01, 0x41).s32(1 << 20).bytes(0x0b)); // __stack_pointer
        Out exports = new Out().u32(3).name("memory").bytes(0x02).u32(0)
                .name(kind == Kind.COMMAND ? "_start" : "_initialize").bytes(0x00).u32(imported)
                .name("rb_eval_string_protect").bytes(0x00).u32(imported + 1);
        module.section(7, exports);
        Out elements = new Out().u32(1).bytes(0x00, 0x41).s32(1).bytes(0x0b).u32(TABLE_SIZE - 1);
        for (int i = 1; i < TABLE_SIZE; i++) {
            elements.u32(imported + 1 + (i % (bodies - 1)));
        }
        module.section(9, elements);
        module.section(10, code);
        byte[] data = new byte[DATA_BYTES];
        random.nextBytes(data);
        module.section(11, new Out().u32(1).bytes(0x00, 0x41).s32(1024).bytes(0x0b).u32(data.length).append(data));
        byte[] debug = new byte[DEBUG_BYTES];
        random.nextBytes(debug);
        module.section(0, new Out().name(".debug_info").append(debug));
        return module.toByteArray();
    }

    /** About 1.2 KB of valid code for a (i32) -> i32 function with two i32 locals. */
    private static Out body(Random random, int firstCallable, int callables) {
        Out body = new Out().u32(1).u32(2).bytes(I32);
        for (int group = 0; group < 30; group++) {
            body.bytes(0x20, 0x00, 0x41).s32(random.nextInt(1 << 16)).bytes(0x6a, 0x21, 0x01); // l1 = l0 + c
            body.bytes(0x20, 0x01, 0x28, 0x02).u32(random.nextInt(1 << 12)).bytes(0x21, 0x02); // l2 = load(l1 + off)
            body.bytes(0x20, 0x02, 0x20, 0x00, 0x73, 0x21, 0x00); // l0 = l2 ^ l0
            // block: if l0 == 0 leave, else l0 = l0 - 1
            body.bytes(0x02, 0x40, 0x20, 0x00, 0x45, 0x0d, 0x00, 0x20, 0x00, 0x41, 0x01, 0x6b, 0x21, 0x00, 0x0b);
            if (group % 10 == 9) {
                body.bytes(0x20, 0x00, 0x10).u32(firstCallable + random.nextInt(callables)).bytes(0x21, 0x00);
            }
        }
        return body.bytes(0x20, 0x00, 0x0b);
    }

    private static final class Out extends ByteArrayOutputStream {

        Out bytes(int... values) {
            for (int v : values) {
                write(v);
            }
            return this;
        }

        Out append(byte[] data) {
            write(data, 0, data.length);
            return this;
        }

        Out append(Out other) {
            return append(other.toByteArray());
        }

        Out u32(long value) {
            do {
                int b = (int) (value & 0x7f);
                value >>>= 7;
                write(value != 0 ? b | 0x80 : b);
            } while (value != 0);
            return this;
        }

        Out s32(int value) {
            boolean more = true;
            while (more) {
                int b = value & 0x7f;
                value >>= 7;
                more = !(value == 0 && (b & 0x40) == 0 || value == -1 && (b & 0x40) != 0);
                write(more ? b | 0x80 : b);
            }
            return this;
        }

        Out name(String text) {
            byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
            return u32(utf8.length).append(utf8);
        }

        Out section(int id, Out content) {
            write(id);
            u32(content.size());
            return append(content);
        }
    }
}
