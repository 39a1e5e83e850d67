package ai.mule.runner.wasm.execution;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** Captures what a module writes to one stream, up to a cap; writing past the cap ends the run. */
final class CappedOutputStream extends OutputStream {

    private final String name;
    private final int cap;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);

    CappedOutputStream(String name, int cap) {
        this.name = name;
        this.cap = cap;
    }

    @Override
    public void write(int b) {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] data, int offset, int length) {
        int room = cap - bytes.size();
        if (length > room) {
            // keep what fits, so the step result still shows the beginning of the flood
            bytes.write(data, offset, room);
            throw new OutputLimitExceededException(name, cap);
        }
        bytes.write(data, offset, length);
    }

    /** What was captured, decoded as UTF-8 (malformed sequences become U+FFFD). */
    String text() {
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
