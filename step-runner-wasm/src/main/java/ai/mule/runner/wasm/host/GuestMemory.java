package ai.mule.runner.wasm.host;

import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import java.nio.charset.StandardCharsets;

/**
 * Mule v2's calling convention over the guest's linear memory: strings come in as (ptr, len) pairs;
 * data goes back by the two-call protocol (a first call with a zero-length buffer answers the size, a
 * second with a buffer at least that large gets the bytes and the size again).
 */
final class GuestMemory {

    private GuestMemory() {
    }

    /** The UTF-8 string at (ptr, len), or null when the range is outside the guest's memory. */
    static String string(Instance instance, long ptr, long len) {
        Memory memory = instance.memory();
        long end = ptr + len;
        if (memory == null || ptr < 0 || len < 0 || end > (long) memory.pages() * 65_536L) {
            return null;
        }
        if (len == 0) {
            return "";
        }
        return new String(memory.readBytes((int) ptr, (int) len), StandardCharsets.UTF_8);
    }

    /**
     * The read-back protocol: {@code data.length} when {@code bufLen} is 0, {@code tooSmall} when the buffer
     * cannot hold the data, {@code writeFailed} when it lies outside memory, else the data is written and its
     * length answered.
     */
    static long readBack(Instance instance, byte[] data, long bufPtr, long bufLen, long tooSmall, long writeFailed) {
        if (bufLen == 0) {
            return data.length;
        }
        if (bufLen < data.length) {
            return tooSmall;
        }
        Memory memory = instance.memory();
        if (memory == null || bufPtr < 0 || bufPtr + data.length > (long) memory.pages() * 65_536L) {
            return writeFailed;
        }
        memory.write((int) bufPtr, data);
        return data.length;
    }
}
