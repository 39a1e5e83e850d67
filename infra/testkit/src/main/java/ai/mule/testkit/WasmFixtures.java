package ai.mule.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The example modules of {@code infra/wasm-examples} (sources and build script there), on the classpath:
 * {@code greet.wasm}, {@code upper.wasm}, {@code reverse.wasm}, {@code require-prompt.wasm}.
 */
public final class WasmFixtures {

    private WasmFixtures() {
    }

    public static byte[] wasm(String name) {
        try (InputStream in = WasmFixtures.class.getResourceAsStream("/wasm/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no example module " + name + " (run infra/wasm-examples/build.sh)");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
