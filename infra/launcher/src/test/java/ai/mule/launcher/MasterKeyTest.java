package ai.mule.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MasterKeyTest {

    @Test
    void generatesA32ByteKeyOnceAndKeepsItForTheOwnerOnly(@TempDir Path home) throws Exception {
        String first = MasterKey.loadOrCreate(home.resolve(".mule"));
        String second = MasterKey.loadOrCreate(home.resolve(".mule"));

        assertThat(Base64.getDecoder().decode(first)).hasSize(32);
        assertThat(second).isEqualTo(first);
        Path file = home.resolve(".mule").resolve(MasterKey.FILE);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    }
}
