package ai.mule.gateway.providers;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import ai.mule.gateway.web.ResourceName;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * A provider to create (its {@code kind} says which protocol it speaks; the base URL is the one that kind's clients
 * expect: {@code https://api.openai.com/v1}, {@code http://127.0.0.1:11434} for Ollama's native API,
 * {@code https://api.anthropic.com/v1}, {@code https://generativelanguage.googleapis.com/v1beta}), or the new state of one ({@code PUT}). On update, an {@code api_key} left out, null or
 * equal to the mask keeps the stored key, and {@code ""} removes it.
 */
// what a GET answered may be sent back as is: the read-only fields are ignored, any other unknown field is refused
@JsonIgnoreProperties({"id", "created_at", "updated_at"})
record NewProvider(
        @ResourceName String name,
        @NotBlank(message = "is required: the provider's base URL, e.g. https://api.openai.com/v1")
        @Size(max = 2000, message = "must be at most 2000 characters")
        @Pattern(regexp = "https?://\\S+", message = "must be an http:// or https:// URL, e.g. http://127.0.0.1:11434/v1")
        String apiBaseUrl,
        @Size(max = 4096, message = "must be at most 4096 characters") String apiKey,
        @Pattern(regexp = "openai|ollama|anthropic|gemini", message = "must be one of openai (any OpenAI-compatible "
                + "server: OpenAI, OpenRouter, vLLM, LM Studio, llama.cpp), ollama, anthropic, gemini")
        String kind) {

    /** The protocol to speak; {@code openai} when the request names none. */
    String kindOrDefault() {
        return kind == null ? Provider.DEFAULT_KIND : kind;
    }

    boolean keepsStoredKey() {
        return apiKey == null || Provider.MASK.equals(apiKey);
    }
}
