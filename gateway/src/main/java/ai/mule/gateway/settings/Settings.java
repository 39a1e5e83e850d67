package ai.mule.gateway.settings;

import ai.mule.gateway.web.ApiException;
import ai.mule.gateway.web.Timestamps;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

/**
 * Mule v2's runtime settings (the {@code settings} table), read through a short cache: the synchronous chat
 * path needs {@code timeout_workflow_seconds} on every call and should not pay a query for it.
 */
@Service
public class Settings {

    public static final String TIMEOUT_WORKFLOW_SECONDS = "timeout_workflow_seconds";
    static final Duration DEFAULT_WORKFLOW_TIMEOUT = Duration.ofSeconds(300);

    private static final Logger log = LoggerFactory.getLogger(Settings.class);

    private final SettingsRepository repository;
    private final long ttlNanos;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    Settings(SettingsRepository repository, SettingsProperties properties) {
        this.repository = repository;
        this.ttlNanos = properties.cacheTtl().toNanos();
    }

    /** How long a synchronous workflow call waits for its job. */
    public Duration workflowTimeout() {
        String value = cached(TIMEOUT_WORKFLOW_SECONDS);
        try {
            long seconds = Long.parseLong(value.trim());
            return seconds > 0 ? Duration.ofSeconds(seconds) : DEFAULT_WORKFLOW_TIMEOUT;
        } catch (RuntimeException e) {
            log.warn("setting {} is '{}', not a number of seconds; using {}", TIMEOUT_WORKFLOW_SECONDS, value,
                    DEFAULT_WORKFLOW_TIMEOUT);
            return DEFAULT_WORKFLOW_TIMEOUT;
        }
    }

    List<Setting> all() {
        return repository.findAll();
    }

    Setting get(String key) {
        return repository.find(key).orElseThrow(() -> unknown(key));
    }

    Setting update(String key, String value) {
        if (value == null) {
            throw ApiException.badRequest("value is required, e.g. {\"value\": \"300\"}");
        }
        if (isNumeric(key)) {
            validatePositiveInteger(key, value);
        }
        Setting updated = repository.update(key, value, Timestamps.now()).orElseThrow(() -> unknown(key));
        cache.remove(key);
        return updated;
    }

    private String cached(String key) {
        long now = System.nanoTime();
        Cached hit = cache.get(key);
        if (hit != null && now - hit.readAt() < ttlNanos) {
            return hit.value();
        }
        String value = repository.find(key).map(Setting::value).orElse("");
        cache.put(key, new Cached(value, now));
        return value;
    }

    private static boolean isNumeric(String key) {
        return key.startsWith("timeout_") || key.startsWith("max_");
    }

    private static void validatePositiveInteger(String key, String value) {
        try {
            if (Long.parseLong(value.trim()) > 0) {
                return;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw ApiException.badRequest(key + " must be a whole number greater than 0, got '" + value + "'");
    }

    private static ApiException unknown(String key) {
        return ApiException.notFound("no setting '" + key + "'; GET /api/v1/settings lists them");
    }

    private record Cached(String value, long readAt) {
    }
}
