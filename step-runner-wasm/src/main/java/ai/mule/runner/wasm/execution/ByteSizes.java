package ai.mule.runner.wasm.execution;

/** Byte counts as people read them in error messages: 512 bytes, 64 KiB, 1 MiB. */
final class ByteSizes {

    private ByteSizes() {
    }

    static String describe(long bytes) {
        if (bytes >= 1 << 20 && bytes % (1 << 20) == 0) {
            return (bytes >> 20) + " MiB";
        }
        if (bytes >= 1 << 10 && bytes % (1 << 10) == 0) {
            return (bytes >> 10) + " KiB";
        }
        return bytes + " bytes";
    }
}
