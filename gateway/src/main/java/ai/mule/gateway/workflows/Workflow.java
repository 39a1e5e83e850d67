package ai.mule.gateway.workflows;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.UUID;

public record Workflow(UUID id, String name, String description, @JsonProperty("is_async") boolean isAsync,
                       Instant createdAt, Instant updatedAt) {
}
