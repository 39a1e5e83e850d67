package ai.mule.gateway.jobs;

import ai.mule.gateway.web.ApiException;
import java.util.Arrays;

/**
 * A job's {@code working_directory}. Mule v2 took any host path and ran shell commands in it; here it names a
 * directory under the WASM runner's mount root, which the job's WASM steps see read-only at {@code /work}. So it must
 * be relative and stay below that root: no leading '/', no '..' segment, no NUL or control character, no backslash.
 */
final class WorkingDirectory {

    static final int MAX_LENGTH = 1024;

    private WorkingDirectory() {
    }

    /** The directory, or "" for none; a {@code 400} naming the field and the rule otherwise. */
    static String require(String value) {
        if (value == null || value.isEmpty()) {
            return "";
        }
        if (value.length() > MAX_LENGTH) {
            throw refused("is " + value.length() + " characters long; at most " + MAX_LENGTH + " are allowed");
        }
        if (value.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw refused("contains a NUL or another control character");
        }
        if (value.indexOf('\\') >= 0) {
            throw refused("contains a backslash; separate directories with '/'");
        }
        if (value.startsWith("/") || value.matches("[A-Za-z]:.*")) {
            throw refused("is an absolute path ('" + value + "'); give a path relative to the WASM runner's mount root, "
                    + "e.g. projects/site");
        }
        if (Arrays.asList(value.split("/")).contains("..")) {
            throw refused("contains a '..' segment; it must stay below the WASM runner's mount root");
        }
        return value;
    }

    private static ApiException refused(String why) {
        return ApiException.badRequest("working_directory " + why);
    }
}
