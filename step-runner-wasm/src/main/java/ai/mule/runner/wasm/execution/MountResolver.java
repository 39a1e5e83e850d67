package ai.mule.runner.wasm.execution;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Turns a step config's {@code "mount": {"host": "reports/2026", "guest": "/data"}} into a read-only
 * {@link Mount}. The host path is taken relative to the runner's mount root
 * ({@code mule.runner.wasm.mount-root}) and must stay inside it once links are resolved; without a mount
 * root no step can mount anything. A step without {@code mount} gets no filesystem at all.
 */
public final class MountResolver {

    private final Path root;

    /** @param root the only directory mounts may come from, or null to allow none */
    public MountResolver(Path root) {
        this.root = root;
    }

    /** The mount the config asks for, null for none; an {@link IllegalArgumentException} says why it is refused. */
    public Mount resolve(JsonNode config) {
        JsonNode mount = config == null ? null : config.get("mount");
        if (mount == null || mount.isNull()) {
            return null;
        }
        if (!mount.isObject() || !mount.path("host").isTextual() || !mount.path("guest").isTextual()) {
            throw new IllegalArgumentException("config.mount must be {\"host\": \"<dir under the runner's mount root>\", "
                    + "\"guest\": \"/<path in the module>\"}");
        }
        if (root == null) {
            throw new IllegalArgumentException("config.mount is not available: this runner has no mount root "
                    + "(mule.runner.wasm.mount-root)");
        }
        String guest = mount.path("guest").asText();
        if (!guest.startsWith("/") || guest.contains("..") || guest.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("config.mount.guest must be an absolute path without '..', not '" + guest + "'");
        }
        String host = mount.path("host").asText();
        try {
            Path realRoot = root.toRealPath();
            Path resolved = realRoot.resolve(host.startsWith("/") ? host.substring(1) : host).normalize();
            if (!resolved.startsWith(realRoot) || !Files.isDirectory(resolved)) {
                throw new IllegalArgumentException("config.mount.host '" + host + "' is not a directory under the "
                        + "runner's mount root");
            }
            Path real = resolved.toRealPath();
            if (!real.startsWith(realRoot)) {
                throw new IllegalArgumentException("config.mount.host '" + host + "' leads outside the runner's mount root");
            }
            return new Mount(real, guest);
        } catch (IOException | java.nio.file.InvalidPathException e) {
            throw new IllegalArgumentException("config.mount.host '" + host + "' cannot be mounted: " + e.getMessage());
        }
    }
}
