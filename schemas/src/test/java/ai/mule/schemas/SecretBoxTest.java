package ai.mule.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Base64;
import org.junit.jupiter.api.Test;

class SecretBoxTest {

    private static final String KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
    private final SecretBox box = SecretBox.fromBase64(KEY);

    @Test
    void sealsWithAFreshNonceAndOpensForTheSameOwnerOnly() {
        String a = box.seal("sk-secret", "owner-1");
        String b = box.seal("sk-secret", "owner-1");

        assertThat(a).startsWith("enc:v1:").doesNotContain("sk-secret").isNotEqualTo(b);
        assertThat(box.open(a, "owner-1")).isEqualTo("sk-secret");
        assertThatThrownBy(() -> box.open(a, "owner-2")).hasMessageContaining("does not open");
        String otherKey = Base64.getEncoder().encodeToString(new byte[32]);
        assertThatThrownBy(() -> SecretBox.fromBase64(otherKey).open(a, "owner-1")).hasMessageContaining("MULE_MASTER_KEY");
    }

    @Test
    void refusesATamperedValue() {
        byte[] bytes = Base64.getDecoder().decode(box.seal("sk-secret", "o").substring(7));
        bytes[bytes.length - 1] ^= 1;
        assertThatThrownBy(() -> box.open("enc:v1:" + Base64.getEncoder().encodeToString(bytes), "o"))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void explainsAMalformedMasterKey() {
        assertThatThrownBy(() -> SecretBox.fromBase64("not base64!")).hasMessageContaining("openssl rand -base64 32");
        assertThatThrownBy(() -> SecretBox.fromBase64(Base64.getEncoder().encodeToString(new byte[16])))
                .hasMessageContaining("32 bytes, got 16");
    }
}
