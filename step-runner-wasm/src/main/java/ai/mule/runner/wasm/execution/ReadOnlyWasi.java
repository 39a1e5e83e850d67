package ai.mule.runner.wasm.execution;

import com.dylibso.chicory.runtime.HostFunction;
import java.util.Set;

/**
 * Makes WASI's filesystem read-only: every call that would change a file answers {@code EROFS} before
 * it reaches the host. Chicory's WASI honours no rights of its own, so the mount is only read-only
 * because of this. Reading, listing and stat-ing stay as Chicory implements them.
 */
final class ReadOnlyWasi {

    /** WASI preview 1 errno {@code rofs}: read-only file system. */
    static final long EROFS = 69;

    private static final Set<String> MUTATING = Set.of("path_create_directory", "path_remove_directory",
            "path_unlink_file", "path_rename", "path_symlink", "path_link", "path_filestat_set_times",
            "fd_filestat_set_size", "fd_filestat_set_times", "fd_allocate", "fd_pwrite");

    // path_open arguments: fd, dirflags, path, path_len, oflags, rights_base, rights_inheriting, fdflags, fd_out
    private static final int OFLAGS = 4;
    private static final int RIGHTS_BASE = 5;
    private static final int FDFLAGS = 7;
    private static final long O_CREAT = 1;
    private static final long O_TRUNC = 8;
    private static final long RIGHT_FD_WRITE = 1L << 6;
    private static final long FDFLAG_APPEND = 1;

    private ReadOnlyWasi() {
    }

    static HostFunction[] wrap(HostFunction[] functions) {
        HostFunction[] wrapped = new HostFunction[functions.length];
        for (int i = 0; i < functions.length; i++) {
            HostFunction f = functions[i];
            if (MUTATING.contains(f.name())) {
                wrapped[i] = new HostFunction(f.module(), f.name(), f.functionType(), (instance, args) -> new long[] {EROFS});
            } else if (f.name().equals("path_open")) {
                wrapped[i] = new HostFunction(f.module(), f.name(), f.functionType(), (instance, args) -> {
                    boolean writes = (args[OFLAGS] & (O_CREAT | O_TRUNC)) != 0
                            || (args[RIGHTS_BASE] & RIGHT_FD_WRITE) != 0
                            || (args[FDFLAGS] & FDFLAG_APPEND) != 0;
                    return writes ? new long[] {EROFS} : f.handle().apply(instance, args);
                });
            } else {
                wrapped[i] = f;
            }
        }
        return wrapped;
    }
}
