package ai.mule.gateway.agents;

import ai.mule.gateway.web.ResourceName;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

record NewAgent(
        @ResourceName String name,
        @Size(max = 10_000, message = "must be at most 10000 characters") String description,
        @NotBlank(message = "is required: the id of a provider from GET /api/v1/providers") String providerId,
        @NotBlank(message = "is required: the model name the provider serves, e.g. gpt-4o-mini or llama3.2")
        @Size(max = 200, message = "must be at most 200 characters") String modelId,
        @Size(max = 100_000, message = "must be at most 100000 characters") String systemPrompt) {
}
