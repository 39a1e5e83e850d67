package ai.mule.gateway.settings;

import java.time.Instant;

/** One row of the {@code settings} table, as the API shows it. */
public record Setting(String key, String value, String description, String category, Instant updatedAt) {
}
