package ai.mule.runner.wasm.execution;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.Instance;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Keeps every path a module opens or stats through WASI inside the mount's real directory. Chicory resolves a guest
 * path with java.nio, which follows symbolic links: a link already in the mounted directory that points outside it
 * (to /etc, to a secret) would otherwise be read through. Here each {@code path_open} and {@code path_filestat_get}
 * is resolved first, links included ({@link Path#toRealPath}), against the directory its fd stands for, and answers
 * {@code ENOTCAPABLE} when the result is not under the mount's real path. A link that stays inside is followed.
 * The module cannot make links (see {@link ReadOnlyWasi}); one the host swaps between this check and Chicory's open
 * is the one race left, and only the operator who owns the mount root can make it.
 * One instance per run: it tracks which directory each fd the module opened stands for.
 */
final class ContainedWasi {

    /** WASI preview 1 errno {@code notcapable}. */
    static final long ENOTCAPABLE = 76;

    /** The fd Chicory gives the first (here: the only) preopened directory, after stdin, stdout and stderr. */
    private static final int PREOPEN_FD = 3;

    // path_open: fd, dirflags, path, path_len, oflags, rights_base, rights_inheriting, fdflags, fd_out
    // path_filestat_get: fd, flags, path, path_len, buf
    private static final int FD = 0;
    private static final int PATH = 2;
    private static final int PATH_LEN = 3;
    private static final int FD_OUT = 8;

    private final Path root;
    private final Map<Integer, Path> directories = new HashMap<>();

    private ContainedWasi(Path root) {
        this.root = root;
        directories.put(PREOPEN_FD, root);
    }

    static HostFunction[] wrap(HostFunction[] functions, Path mountDirectory) {
        Path root;
        try {
            root = mountDirectory.toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException("the mount " + mountDirectory + " cannot be resolved", e);
        }
        ContainedWasi contained = new ContainedWasi(root);
        HostFunction[] wrapped = new HostFunction[functions.length];
        for (int i = 0; i < functions.length; i++) {
            HostFunction f = functions[i];
            wrapped[i] = switch (f.name()) {
                case "path_open" -> new HostFunction(f.module(), f.name(), f.functionType(), (instance, args) -> {
                    Path target = contained.target(instance, args);
                    if (target == null) {
                        return new long[] {ENOTCAPABLE};
                    }
                    long[] result = f.handle().apply(instance, args);
                    if (result[0] == 0) {
                        contained.directories.put(instance.memory().readInt((int) args[FD_OUT]), target);
                    }
                    return result;
                });
                case "path_filestat_get" -> new HostFunction(f.module(), f.name(), f.functionType(), (instance, args) ->
                        contained.target(instance, args) == null ? new long[] {ENOTCAPABLE} : f.handle().apply(instance, args));
                case "fd_close" -> new HostFunction(f.module(), f.name(), f.functionType(), (instance, args) -> {
                    contained.directories.remove((int) args[FD]);
                    return f.handle().apply(instance, args);
                });
                default -> f;
            };
        }
        return wrapped;
    }

    /** Where the call's path leads once links are resolved, or null when that is outside the mount. */
    private Path target(Instance instance, long[] args) {
        Path base = directories.get((int) args[FD]);
        if (base == null) {
            return null;
        }
        try {
            Path lexical = base.resolve(instance.memory().readString((int) args[PATH], (int) args[PATH_LEN])).normalize();
            if (!lexical.startsWith(root)) {
                return null;
            }
            if (!Files.exists(lexical)) {
                // nothing to read there; a dangling link out of the mount is refused rather than left to Chicory
                return Files.exists(lexical, LinkOption.NOFOLLOW_LINKS) ? null : lexical;
            }
            Path real = lexical.toRealPath();
            return real.startsWith(root) ? real : null;
        } catch (IOException | InvalidPathException e) {
            return null;
        }
    }
}
