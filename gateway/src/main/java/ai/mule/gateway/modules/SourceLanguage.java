package ai.mule.gateway.modules;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/** The languages the gateway compiles module sources from. Mule v2 compiled Go; Mule does not (see gateway/README.md). */
enum SourceLanguage {
    /** WebAssembly text, by wabt's wat2wasm. */
    WAT("wat"),
    /** C for WASI preview 1, by clang and wasi-libc. */
    C("c");

    private final String wire;

    SourceLanguage(String wire) {
        this.wire = wire;
    }

    String wire() {
        return wire;
    }

    /** The source file's name in the compiler's temp directory (and so in its messages). */
    String fileName() {
        return "module." + wire;
    }

    static Optional<SourceLanguage> fromWire(String value) {
        return Arrays.stream(values()).filter(l -> l.wire.equals(value)).findFirst();
    }

    static String supported() {
        return Arrays.stream(values()).map(SourceLanguage::wire).collect(Collectors.joining(", "));
    }
}
