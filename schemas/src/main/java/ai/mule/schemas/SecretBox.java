package ai.mule.schemas;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM for secrets at rest (provider API keys). A sealed value is {@code enc:v1:<base64(nonce || ciphertext
 * || tag)>} with a fresh 12-byte nonce; the owner's id is the associated data, so a sealed key copied onto another
 * provider's row does not open. The gateway seals, the agent runner opens, both with the same master key
 * ({@code MULE_MASTER_KEY}, base64 of 32 bytes): the format is a contract between them, so it lives here.
 */
public final class SecretBox {

    public static final String PREFIX = "enc:v1:";
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;

    private final SecretKeySpec key;
    private final SecureRandom random = new SecureRandom();

    private SecretBox(byte[] key) {
        this.key = new SecretKeySpec(key, "AES");
    }

    /** The box for a master key given as base64 of exactly 32 bytes. */
    public static SecretBox fromBase64(String masterKey) {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(masterKey.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("MULE_MASTER_KEY is not base64; generate one with: openssl rand -base64 32");
        }
        if (bytes.length != 32) {
            throw new IllegalArgumentException("MULE_MASTER_KEY must be base64 of 32 bytes, got " + bytes.length
                    + " bytes; generate one with: openssl rand -base64 32");
        }
        return new SecretBox(bytes);
    }

    public static boolean isSealed(String value) {
        return value != null && value.startsWith(PREFIX);
    }

    public String seal(String plaintext, String owner) {
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(owner.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
            byte[] out = Arrays.copyOf(nonce, NONCE_BYTES + sealed.length);
            System.arraycopy(sealed, 0, out, NONCE_BYTES, sealed.length);
            return PREFIX + Base64.getEncoder().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available", e);
        }
    }

    /** Opens a sealed value; throws if it was sealed under another key or for another owner, or was altered. */
    public String open(String sealed, String owner) {
        if (!isSealed(sealed)) {
            throw new IllegalArgumentException("not a sealed value");
        }
        byte[] bytes = Base64.getDecoder().decode(sealed.substring(PREFIX.length()));
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, bytes, 0, NONCE_BYTES));
            cipher.updateAAD(owner.getBytes(StandardCharsets.UTF_8));
            return new String(cipher.doFinal(bytes, NONCE_BYTES, bytes.length - NONCE_BYTES), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the secret does not open with this master key (wrong MULE_MASTER_KEY?)");
        }
    }
}
