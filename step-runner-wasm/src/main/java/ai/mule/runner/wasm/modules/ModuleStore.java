package ai.mule.runner.wasm.modules;

import ai.mule.runner.wasm.execution.StepFailure.Reason;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Reads module bytes from the gateway's {@code wasm_modules} table by sha256, read-only. The bytes are
 * hashed again here: a step runs exactly the module its job was accepted with, or fails, even if a row
 * was edited in place or damaged.
 */
public final class ModuleStore implements ModuleSource {

    static final String SELECT_MODULE = "SELECT module_data FROM wasm_modules WHERE sha256 = ? LIMIT 1";

    private final JdbcTemplate jdbc;

    public ModuleStore(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public byte[] fetch(String sha256) {
        List<byte[]> rows;
        try {
            rows = jdbc.query(SELECT_MODULE, (row, i) -> row.getBytes(1), sha256);
        } catch (DataAccessException e) {
            throw new ModuleUnavailableException(Reason.STORE_UNAVAILABLE,
                    "the module store cannot be read: " + e.getMostSpecificCause().getMessage(), e);
        }
        if (rows.isEmpty()) {
            throw new ModuleUnavailableException(Reason.MODULE_NOT_FOUND, "no module with sha256 " + sha256 + " is stored");
        }
        byte[] bytes = rows.get(0);
        String actual = sha256Of(bytes);
        if (!actual.equals(sha256)) {
            throw new ModuleUnavailableException(Reason.MODULE_CORRUPT, "the module stored under sha256 " + sha256
                    + " has different content (its sha256 is " + actual + "); refusing to run it");
        }
        return bytes;
    }

    static String sha256Of(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
