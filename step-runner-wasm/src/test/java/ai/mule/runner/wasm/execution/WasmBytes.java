package ai.mule.runner.wasm.execution;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Hostile modules too large (or too repetitive) to keep as {@code .wat} next to their {@code .wasm}: encoded
 * here in the binary format, so tests need no toolchain. Each factory says in WAT what it builds.
 */
public final class WasmBytes {

    private static final int FUNC_TYPE = 0x60;
    private static final int I32 = 0x7f;
    private static final int FUNCREF = 0x70;

    private WasmBytes() {
    }

    /** The back edge of {@link #hugeLoop}. */
    public enum BackEdge { BR_IF, BR_TABLE }

    /**
     * <pre>
     * (module (memory (export "memory") 1)
     *   (func (export "_start") (local i32)
     *     (loop $spin
     *       ;; {@code groups} times: too much code for one JVM method, so the compiler leaves this function
     *       ;; to the interpreter
     *       (local.set 0 (i32.add (local.get 0) (i32.const 1)))
     *       (br_if $spin (i32.const 1)))))     ;; or (br_table $spin $spin (i32.const 0))
     * </pre>
     */
    public static byte[] hugeLoop(int groups, BackEdge backEdge) {
        Out body = new Out().u32(1).u32(1).bytes(I32); // one local i32
        body.bytes(0x03, 0x40); // loop (empty block type)
        for (int i = 0; i < groups; i++) {
            body.bytes(0x20, 0x00, 0x41, 0x01, 0x6a, 0x21, 0x00); // local.get 0, i32.const 1, i32.add, local.set 0
        }
        if (backEdge == BackEdge.BR_IF) {
            body.bytes(0x41, 0x01, 0x0d, 0x00); // i32.const 1, br_if 0
        } else {
            body.bytes(0x41, 0x00, 0x0e, 0x01, 0x00, 0x00); // i32.const 0, br_table [0] 0
        }
        body.bytes(0x0b, 0x0b); // end loop, end function
        return module(new Out().u32(1), new Out().u32(1).u32(0), body);
    }

    /** {@code count} times {@code (table <size> funcref)} and an empty {@code _start}. */
    public static byte[] tables(int count, long size) {
        Out tables = new Out().u32(count);
        for (int i = 0; i < count; i++) {
            tables.bytes(FUNCREF, 0x00).u32(size);
        }
        Out module = header();
        module.section(1, new Out().u32(1).bytes(FUNC_TYPE, 0, 0));
        module.section(3, new Out().u32(1).u32(0));
        module.section(4, tables);
        module.section(7, new Out().u32(1).name("_start").bytes(0x00).u32(0));
        module.section(10, new Out().u32(1).u32(2).bytes(0x00, 0x0b));
        return module.toByteArray();
    }

    /**
     * <pre>
     * (module (table 1 funcref) (memory 1)
     *   (func (export "_start")
     *     (if (i32.eq (table.grow (ref.null func) (i32.const {@code delta})) (i32.const -1))
     *       (then unreachable))))
     * </pre>
     */
    public static byte[] tableGrow(int delta) {
        Out body = new Out().u32(0)
                .bytes(0xd0, FUNCREF) // ref.null func
                .bytes(0x41).s32(delta)
                .bytes(0xfc).u32(15).u32(0) // table.grow 0
                .bytes(0x41, 0x7f, 0x46) // i32.const -1, i32.eq
                .bytes(0x04, 0x40, 0x00, 0x0b) // if, unreachable, end
                .bytes(0x0b);
        Out module = header();
        module.section(1, new Out().u32(1).bytes(FUNC_TYPE, 0, 0));
        module.section(3, new Out().u32(1).u32(0));
        module.section(4, new Out().u32(1).bytes(FUNCREF, 0x00).u32(1));
        module.section(5, new Out().u32(1).bytes(0x00).u32(1));
        module.section(7, new Out().u32(1).name("_start").bytes(0x00).u32(0));
        module.section(10, new Out().u32(1).u32(body.size()).append(body));
        return module.toByteArray();
    }

    /** {@code count} immutable i32 globals and an empty {@code _start}. */
    public static byte[] globals(int count) {
        Out globals = new Out().u32(count);
        for (int i = 0; i < count; i++) {
            globals.bytes(I32, 0x00, 0x41, 0x00, 0x0b); // i32, const, (i32.const 0)
        }
        Out module = header();
        module.section(1, new Out().u32(1).bytes(FUNC_TYPE, 0, 0));
        module.section(3, new Out().u32(1).u32(0));
        module.section(6, globals);
        module.section(7, new Out().u32(1).name("_start").bytes(0x00).u32(0));
        module.section(10, new Out().u32(1).u32(2).bytes(0x00, 0x0b));
        return module.toByteArray();
    }

    /** {@code (type (array i32))} besides {@code _start}'s type: a WebAssembly GC type. */
    public static byte[] gcArrayType() {
        Out module = header();
        module.section(1, new Out().u32(2).bytes(FUNC_TYPE, 0, 0).bytes(0x5e, I32, 0x00));
        module.section(3, new Out().u32(1).u32(0));
        module.section(7, new Out().u32(1).name("_start").bytes(0x00).u32(0));
        module.section(10, new Out().u32(1).u32(2).bytes(0x00, 0x0b));
        return module.toByteArray();
    }

    /** A memory of {@code pages} initial pages (no maximum), exported, and an empty {@code _start}. */
    public static byte[] memory(int pages) {
        return memoryModule(pages).toByteArray();
    }

    /**
     * <pre>
     * (module (memory (export "memory") {@code pages}) (data (i32.const {@code offset}) "{@code data}")
     *   (func (export "_start")))
     * </pre>
     */
    public static byte[] memoryWithData(int pages, int offset, byte[] data) {
        Out module = memoryModule(pages);
        // one active segment for memory 0, at (i32.const offset)
        module.section(11, new Out().u32(1).bytes(0x00, 0x41).s32(offset).bytes(0x0b).u32(data.length).append(data));
        return module.toByteArray();
    }

    private static Out memoryModule(int pages) {
        Out module = header();
        module.section(1, new Out().u32(1).bytes(FUNC_TYPE, 0, 0));
        module.section(3, new Out().u32(1).u32(0));
        module.section(5, new Out().u32(1).bytes(0x00).u32(pages));
        module.section(7, new Out().u32(2).name("memory").bytes(0x02).u32(0).name("_start").bytes(0x00).u32(0));
        module.section(10, new Out().u32(1).u32(2).bytes(0x00, 0x0b));
        return module;
    }

    /** One type () -> (), one function of that type exported as {@code _start}, one memory page. */
    private static byte[] module(Out types, Out functions, Out body) {
        Out module = header();
        module.section(1, types.bytes(FUNC_TYPE, 0, 0));
        module.section(3, functions);
        module.section(5, new Out().u32(1).bytes(0x00).u32(1));
        module.section(7, new Out().u32(2).name("memory").bytes(0x02).u32(0).name("_start").bytes(0x00).u32(0));
        module.section(10, new Out().u32(1).u32(body.size()).append(body));
        return module.toByteArray();
    }

    private static Out header() {
        return new Out().bytes(0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00);
    }

    /** Bytes in the WebAssembly binary encoding (LEB128 numbers, length-prefixed names and sections). */
    static final class Out extends ByteArrayOutputStream {

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
