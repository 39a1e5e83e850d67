package ai.mule.wasm;

import java.util.Map;
import java.util.Set;

/**
 * What the WASM runner links a module against, so that a module needing anything else is refused at upload
 * rather than failing every job later: the WASI preview 1 functions Chicory implements, and Mule v2's
 * {@code env} host functions the runner offers (each taking i32 (ptr, len) arguments and returning an i32).
 * Mule v2's shell, git and working-directory functions are deliberately absent. The gateway checks uploads
 * against this; the runner's host ({@code MuleHost}) links exactly these {@code env} functions.
 */
public final class OfferedImports {

    public static final String WASI = "wasi_snapshot_preview1";
    public static final String ENV = "env";

    public static final Set<String> WASI_FUNCTIONS = Set.of("args_get", "args_sizes_get", "clock_res_get",
            "clock_time_get", "environ_get", "environ_sizes_get", "fd_advise", "fd_allocate", "fd_close",
            "fd_datasync", "fd_fdstat_get", "fd_fdstat_set_flags", "fd_fdstat_set_rights", "fd_filestat_get",
            "fd_filestat_set_size", "fd_filestat_set_times", "fd_pread", "fd_prestat_dir_name", "fd_prestat_get",
            "fd_pwrite", "fd_read", "fd_readdir", "fd_renumber", "fd_seek", "fd_sync", "fd_tell", "fd_write",
            "path_create_directory", "path_filestat_get", "path_filestat_set_times", "path_link", "path_open",
            "path_readlink", "path_remove_directory", "path_rename", "path_symlink", "path_unlink_file",
            "poll_oneoff", "proc_exit", "proc_raise", "random_get", "sched_yield", "sock_accept", "sock_recv",
            "sock_send", "sock_shutdown");

    /** Mule v2's host functions offered, with their number of i32 parameters. */
    public static final Map<String, Integer> ENV_FUNCTIONS = Map.of(
            "http_request", 6, "http_request_with_headers", 8, "get_last_response_body", 2,
            "get_last_response_status", 0, "get_last_response_header", 4, "trigger_workflow_or_agent", 6,
            "get_last_operation_result", 2, "get_last_operation_status", 0, "get_job_output", 4,
            "wait_for_job_and_get_output", 4);

    private OfferedImports() {
    }
}
