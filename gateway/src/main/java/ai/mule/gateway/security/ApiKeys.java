package ai.mule.gateway.security;

import ai.mule.gateway.web.Timestamps;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * Decides whether a presented API key is valid. Keys are 256 random bits, so a SHA-256 of the key is a safe thing
 * to store and to look up by. Valid keys from the database are remembered for {@link #CACHE_MILLIS} so a busy
 * client does not cost a query per request; a revocation on this gateway applies at once, on others within that
 * time. Unknown {@code mule_} keys are remembered too ({@code mule.security.failed-auth.unknown-key-*}, bounded), so
 * sending the same bad key again and again costs no query either.
 */
@Component
public class ApiKeys {

    static final String KEY_PREFIX = "mule_";
    private static final long CACHE_MILLIS = 5_000;

    private final ApiKeyRepository repository;
    private final List<byte[]> staticHashes;
    private final byte[] adminHash;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Long> validUntil = new ConcurrentHashMap<>();
    /** Hash to when it stops being remembered as unknown; least recently used first. */
    private final Map<String, Long> unknownUntil;
    private final long unknownTtlMillis;
    private volatile long storedKeysCheckedAt;
    private volatile boolean storedKeysExist;

    ApiKeys(ApiKeyRepository repository, SecurityProperties properties, FailedAuthProperties failedAuth) {
        this.repository = repository;
        int unknownMax = failedAuth.unknownKeyCacheSize();
        this.unknownUntil = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
                return size() > unknownMax;
            }
        };
        this.unknownTtlMillis = failedAuth.unknownKeyTtl().toMillis();
        this.staticHashes = properties.staticKeys().stream().map(k -> HexFormat.of().parseHex(hash(k))).toList();
        this.adminHash = properties.hasAdminKey() ? HexFormat.of().parseHex(hash(properties.adminKey().trim())) : null;
    }

    /** Whether requests must carry a key: any key in the environment, or any active key in the database. */
    public boolean required() {
        if (!staticHashes.isEmpty() || adminHash != null) {
            return true;
        }
        long now = System.currentTimeMillis();
        if (now - storedKeysCheckedAt > CACHE_MILLIS) {
            storedKeysExist = repository.anyActive();
            storedKeysCheckedAt = now;
        }
        return storedKeysExist;
    }

    public boolean isAdmin(String key) {
        return adminHash != null && MessageDigest.isEqual(adminHash, HexFormat.of().parseHex(hash(key)));
    }

    public boolean adminConfigured() {
        return adminHash != null;
    }

    /** Whether the key is valid, looking it up in the database unless this gateway knows the answer. */
    public boolean isValid(String key) {
        String hash = hash(key);
        long now = System.currentTimeMillis();
        if (knownValid(hash, now)) {
            return true;
        }
        if (!key.startsWith(KEY_PREFIX) || knownUnknown(hash, now)) {
            return false;
        }
        if (!repository.isActive(hash)) {
            validUntil.remove(hash);
            synchronized (unknownUntil) {
                unknownUntil.put(hash, now + unknownTtlMillis);
            }
            return false;
        }
        validUntil.put(hash, now + CACHE_MILLIS);
        return true;
    }

    /**
     * Whether the key is valid by what this gateway holds in memory (keys from the environment, stored keys found
     * valid a moment ago), without a query: what a client limited for failing too often may still use.
     */
    public boolean isKnownValid(String key) {
        return knownValid(hash(key), System.currentTimeMillis());
    }

    private boolean knownValid(String hash, long now) {
        byte[] bytes = HexFormat.of().parseHex(hash);
        if (adminHash != null && MessageDigest.isEqual(adminHash, bytes)) {
            return true;
        }
        for (byte[] known : staticHashes) {
            if (MessageDigest.isEqual(known, bytes)) {
                return true;
            }
        }
        Long until = validUntil.get(hash);
        return until != null && until > now;
    }

    private boolean knownUnknown(String hash, long now) {
        synchronized (unknownUntil) {
            Long until = unknownUntil.get(hash);
            if (until != null && until <= now) {
                unknownUntil.remove(hash);
                return false;
            }
            return until != null;
        }
    }

    /** Creates a key; the answer is the only place the key itself ever appears. */
    ApiKey create(String name) {
        byte[] secret = new byte[32];
        random.nextBytes(secret);
        String key = KEY_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        UUID id = UUID.randomUUID();
        Instant now = Timestamps.now();
        String prefix = key.substring(0, 12);
        repository.insert(id, name, hash(key), prefix, now);
        synchronized (unknownUntil) {
            // nothing remembered as unknown may hide a key from now on
            unknownUntil.clear();
        }
        storedKeysExist = true;
        storedKeysCheckedAt = System.currentTimeMillis();
        return new ApiKey(id, name, prefix, now, null, key);
    }

    boolean revoke(UUID id) {
        boolean revoked = repository.revoke(id);
        // forget every remembered key: the revoked one must stop working here at once
        validUntil.clear();
        storedKeysCheckedAt = 0;
        return revoked;
    }

    static String hash(String key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }
}
