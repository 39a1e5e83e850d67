package ai.mule.gateway.agents;

import ai.mule.gateway.web.ResourceName;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

// what a GET answered may be sent back as is: the read-only fields are ignored, any other unknown field is refused
@JsonIgnoreProperties({"id", "created_at", "updated_at"})
record NewSkill(
        @ResourceName String name,
        @Size(max = 10_000, message = "must be at most 10000 characters") String description,
        @NotBlank(message = "is required: the instructions the skill adds to an agent's system prompt")
        @Size(max = 100_000, message = "must be at most 100000 characters") String content) {
}
