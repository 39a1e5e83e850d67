package ai.mule.launcher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The master key the local stack seals provider API keys with ({@code MULE_MASTER_KEY}): taken from the
 * environment when set, otherwise kept in {@code <home>/master.key} (created once, readable by the owner only),
 * so keys stored in one run still open in the next.
 */
final class MasterKey {

    static final String FILE = "master.key";

    private MasterKey() {
    }

    static String loadOrCreate(Path home) throws IOException {
        String fromEnv = System.getenv("MULE_MASTER_KEY");
        if (fromEnv != null && !fromEnv.isBlank()) {
            return fromEnv.trim();
        }
        Path file = home.resolve(FILE);
        if (Files.exists(file)) {
            return Files.readString(file, StandardCharsets.US_ASCII).trim();
        }
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        String encoded = Base64.getEncoder().encodeToString(key);
        Files.createDirectories(home);
        Path tmp = Files.createTempFile(home, "master", ".tmp");
        try {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: the file keeps the directory's default permissions
        }
        Files.writeString(tmp, encoded + "\n", StandardCharsets.US_ASCII);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return encoded;
    }
}
