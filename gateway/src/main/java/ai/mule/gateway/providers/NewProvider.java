package ai.mule.gateway.providers;

import ai.mule.gateway.web.ResourceName;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

record NewProvider(
        @ResourceName String name,
        @NotBlank(message = "is required: the provider's OpenAI-compatible base URL, e.g. https://api.openai.com/v1")
        @Size(max = 2000, message = "must be at most 2000 characters")
        @Pattern(regexp = "https?://\\S+", message = "must be an http:// or https:// URL, e.g. http://127.0.0.1:11434/v1")
        String apiBaseUrl,
        @Size(max = 4096, message = "must be at most 4096 characters") String apiKey) {
}
