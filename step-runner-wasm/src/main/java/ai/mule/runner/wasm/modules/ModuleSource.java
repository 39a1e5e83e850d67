package ai.mule.runner.wasm.modules;

/** Where module bytes come from, by content address. */
@FunctionalInterface
public interface ModuleSource {

    /**
     * The bytes whose SHA-256 is {@code sha256} (64 lower-case hex digits).
     *
     * @throws ModuleUnavailableException when they are not stored, do not match, or cannot be read
     */
    byte[] fetch(String sha256);
}
