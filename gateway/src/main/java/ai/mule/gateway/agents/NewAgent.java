package ai.mule.gateway.agents;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import ai.mule.gateway.web.ResourceName;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

// what a GET answered may be sent back as is: the read-only fields are ignored, any other unknown field is refused
@JsonIgnoreProperties({"id", "created_at", "updated_at"})
record NewAgent(
        @ResourceName String name,
        @Size(max = 10_000, message = "must be at most 10000 characters") String description,
        @NotBlank(message = "is required: the id of a provider from GET /api/v1/providers") String providerId,
        @NotBlank(message = "is required: the model name the provider serves, e.g. gpt-4o-mini or llama3.2")
        @Size(max = 200, message = "must be at most 200 characters") String modelId,
        @Size(max = 100_000, message = "must be at most 100000 characters") String systemPrompt,
        @DecimalMin(value = "0", message = "must be between 0 and 2") @DecimalMax(value = "2", message = "must be between 0 and 2")
        Double temperature,
        @Min(value = 1, message = "must be between 1 and 1000000") @Max(value = 1_000_000, message = "must be between 1 and 1000000")
        Integer maxTokens) {
}
