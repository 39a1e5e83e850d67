package ai.mule.runner.wasm.execution;

import ai.mule.schemas.WasmStep;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Turns a step config's {@code "mount": {"host": "reports/2026", "guest": "/data"}} into a read-only
 * {@link Mount}. The host path is taken relative to the runner's mount root
 * ({@code mule.runner.wasm.mount-root}) and must stay inside it once links are resolved; without a mount
 * root no step can mount anything. A step without {@code mount} in a job with a {@code working_directory} gets that
 * directory, under the same root and rules, at {@code /work}; otherwise it gets no filesystem at all.
 */
public final class MountResolver {

    private final Path root;

    /** @param root the only directory mounts may come from, or null to allow none */
    public MountResolver(Path root) {
        this.root = root;
    }

    /** The mount the config asks for, null for none; an {@link IllegalArgumentException} says why it is refused. */
    public Mount resolve(JsonNode config) {
        return resolve(config, null);
    }

    /** As {@link #resolve(JsonNode)}, falling back to the job's working directory (null or empty: none). */
    public Mount resolve(JsonNode config, String workingDirectory) {
        JsonNode mount = config == null ? null : config.get("mount");
        if (mount == null || mount.isNull()) {
            if (workingDirectory == null || workingDirectory.isEmpty()) {
                return null;
            }
            if (root == null) {
                throw new IllegalArgumentException("working_directory '" + workingDirectory + "' is not available: this "
                        + "runner has no mount root (mule.runner.wasm.mount-root)");
            }
            return under(workingDirectory, "working_directory", WasmStep.WORKING_DIRECTORY_GUEST);
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
        return under(mount.path("host").asText(), "config.mount.host", guest);
    }

    private Mount under(String host, String field, String guest) {
        if (host.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(field + " must not contain NUL");
        }
        try {
            Path realRoot = root.toRealPath();
            Path resolved = realRoot.resolve(host.startsWith("/") ? host.substring(1) : host).normalize();
            if (!resolved.startsWith(realRoot) || !Files.isDirectory(resolved)) {
                throw new IllegalArgumentException(field + " '" + host + "' is not a directory under the "
                        + "runner's mount root");
            }
            Path real = resolved.toRealPath();
            if (!real.startsWith(realRoot)) {
                throw new IllegalArgumentException(field + " '" + host + "' leads outside the runner's mount root");
            }
            return new Mount(real, guest);
        } catch (IOException | java.nio.file.InvalidPathException e) {
            throw new IllegalArgumentException(field + " '" + host + "' cannot be mounted: " + e.getMessage());
        }
    }
}
