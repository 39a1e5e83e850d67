package ai.mule.gateway.tools;

import ai.mule.gateway.web.ResourceName;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonNode;
import jakarta.validation.constraints.Size;

// what a GET answered may be sent back as is: the read-only fields are ignored, any other unknown field is refused
@JsonIgnoreProperties({"id", "created_at", "updated_at"})
record NewTool(
        @ResourceName String name,
        @Size(max = 10_000, message = "must be at most 10000 characters") String description,
        JsonNode metadata) {
}
