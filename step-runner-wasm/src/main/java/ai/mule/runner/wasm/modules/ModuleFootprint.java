package ai.mule.runner.wasm.modules;

/**
 * What a module will cost the runner's heap once loaded, estimated from its bytes before anything is parsed.
 * Chicory keeps every instruction of every function as objects: measured on generated modules shaped like a
 * language runtime's build, 25 to 34 bytes of heap per byte of module (4 MB: 104 MB kept, 2 s to parse; 16 MB:
 * 557 MB kept, 28 s), nearly all of it for the code section. Other sections cost about their size.
 */
final class ModuleFootprint {

    /** Heap per byte of code section, above the measured 34 for headroom (compiling adds its classes). */
    static final int HEAP_BYTES_PER_CODE_BYTE = 40;
    private static final int CODE = 10;

    private ModuleFootprint() {
    }

    /**
     * The estimate in bytes. Bytes whose section headers do not add up are estimated at their size: the
     * parse that follows refuses them at once.
     */
    static long estimate(byte[] bytes) {
        long code = 0;
        int at = 8;
        while (at < bytes.length) {
            int id = bytes[at++] & 0xff;
            long size = 0;
            int shift = 0;
            int b;
            do {
                if (at >= bytes.length || shift > 28) {
                    return bytes.length;
                }
                b = bytes[at++] & 0xff;
                size |= (long) (b & 0x7f) << shift;
                shift += 7;
            } while ((b & 0x80) != 0);
            if (size > bytes.length - at) {
                return bytes.length;
            }
            if (id == CODE) {
                code += size;
            }
            at += (int) size;
        }
        return bytes.length - code + code * HEAP_BYTES_PER_CODE_BYTE;
    }
}
