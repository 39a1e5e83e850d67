package ai.mule.runner.wasm.bench;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * Writes a WASI command of several megabytes: a data segment of {@code dataBytes} pseudo-random bytes (as a
 * module with large embedded tables or a model would carry) and a {@code _start} that prints
 * {@code {"message":"big"}}. Instantiating it copies the segment into a fresh memory every run, which is
 * what a big module costs per run. Encoded by hand: no toolchain needed to run the benchmark.
 */
final class BigModule {

    private static final byte[] MESSAGE = "{\"message\":\"big\"}\n".getBytes(StandardCharsets.UTF_8);
    private static final int MESSAGE_AT = 1024;
    private static final int DATA_AT = 65_536;

    private BigModule() {
    }

    static byte[] of(int dataBytes) {
        byte[] data = new byte[dataBytes];
        new Random(42).nextBytes(data);
        int pages = (DATA_AT + dataBytes) / 65_536 + 1;
        Out module = new Out();
        module.bytes(0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00);
        // types: 0 = fd_write (i32 i32 i32 i32) -> i32, 1 = () -> ()
        module.section(1, new Out().u32(2).bytes(0x60, 4, 0x7f, 0x7f, 0x7f, 0x7f, 1, 0x7f).bytes(0x60, 0, 0));
        module.section(2, new Out().u32(1).name("wasi_snapshot_preview1").name("fd_write").bytes(0x00).u32(0));
        module.section(3, new Out().u32(1).u32(1));
        module.section(5, new Out().u32(1).bytes(0x00).u32(pages));
        module.section(7, new Out().u32(2).name("memory").bytes(0x02).u32(0).name("_start").bytes(0x00).u32(1));
        Out body = new Out().u32(0)
                .bytes(0x41).s32(0).bytes(0x41).s32(MESSAGE_AT).bytes(0x36, 0x02, 0x00) // iov.buf
                .bytes(0x41).s32(4).bytes(0x41).s32(MESSAGE.length).bytes(0x36, 0x02, 0x00) // iov.len
                .bytes(0x41).s32(1).bytes(0x41).s32(0).bytes(0x41).s32(1).bytes(0x41).s32(8) // stdout, iovs, 1, nwritten
                .bytes(0x10).u32(0).bytes(0x1a, 0x0b); // call fd_write, drop, end
        module.section(10, new Out().u32(1).u32(body.size()).append(body));
        module.section(11, new Out().u32(2)
                .bytes(0x00, 0x41).s32(MESSAGE_AT).bytes(0x0b).u32(MESSAGE.length).append(MESSAGE)
                .bytes(0x00, 0x41).s32(DATA_AT).bytes(0x0b).u32(data.length).append(data));
        return module.toByteArray();
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
