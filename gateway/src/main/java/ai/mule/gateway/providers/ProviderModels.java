package ai.mule.gateway.providers;

import ai.mule.gateway.web.ApiException;
import ai.mule.schemas.JsonSerde;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * Asks a provider for its models, in its kind's own way: {@code GET <api_base_url>/models} for OpenAI-compatible
 * servers (OpenAI, OpenRouter, vLLM, LM Studio...), Anthropic ({@code x-api-key}) and Gemini ({@code x-goog-api-key});
 * {@code GET <api_base_url>/api/tags} for Ollama. Errors name the provider's status, never its key.
 */
@Component
class ProviderModels {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final int MAX_MODELS = 10_000;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT)
            .followRedirects(HttpClient.Redirect.NEVER).build();

    List<ProviderModel> list(ProviderRepository.Endpoint endpoint) {
        String base = endpoint.apiBaseUrl().endsWith("/") ? endpoint.apiBaseUrl() : endpoint.apiBaseUrl() + "/";
        String key = endpoint.apiKey() == null || endpoint.apiKey().isEmpty() ? null : endpoint.apiKey();
        switch (endpoint.kind() == null ? Provider.DEFAULT_KIND : endpoint.kind()) {
            case "ollama": {
                // Ollama's native list: {"models": [{"name": "llama3.2:latest", ...}]}
                JsonNode models = ask(base + "api/tags", base, Map.of()).path("models");
                return read(models, "name", "ollama", base, "'models'");
            }
            case "anthropic": {
                Map<String, String> headers = key == null ? Map.of("anthropic-version", "2023-06-01")
                        : Map.of("x-api-key", key, "anthropic-version", "2023-06-01");
                return read(ask(base + "models", base, headers).path("data"), "id", "anthropic", base, "'data'");
            }
            case "gemini": {
                // {"models": [{"name": "models/gemini-2.0-flash", ...}]}: the id a client sends is without "models/"
                Map<String, String> headers = key == null ? Map.of() : Map.of("x-goog-api-key", key);
                List<ProviderModel> models = read(ask(base + "models", base, headers).path("models"), "name", "google",
                        base, "'models'");
                return models.stream().map(m -> new ProviderModel(m.id().replaceFirst("^models/", ""), m.object(),
                        m.ownedBy())).toList();
            }
            default: {
                Map<String, String> headers = key == null ? Map.of() : Map.of("Authorization", "Bearer " + key);
                return read(ask(base + "models", base, headers).path("data"), "id", null, base, "'data'");
            }
        }
    }

    private JsonNode ask(String url, String base, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT).GET()
                .header("Accept", "application/json");
        headers.forEach(request::header);
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException | IllegalArgumentException e) {
            throw badGateway("the provider at " + base + " could not be reached: " + e.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw badGateway("interrupted while asking the provider for its models");
        }
        if (response.statusCode() != 200) {
            throw badGateway("the provider answered GET " + url + " with HTTP " + response.statusCode()
                    + (response.statusCode() == 401 || response.statusCode() == 403 ? " (check its api_key)" : ""));
        }
        try {
            return JsonSerde.mapper().readTree(response.body());
        } catch (IOException e) {
            throw badGateway("the provider's model list is not JSON: is " + base + " the right base URL for its kind?");
        }
    }

    private static List<ProviderModel> read(JsonNode list, String idField, String owner, String base, String what) {
        if (!list.isArray()) {
            throw badGateway("the provider's model list has no " + what + " array: is " + base
                    + " the right base URL for its kind?");
        }
        List<ProviderModel> models = new ArrayList<>();
        for (JsonNode model : list) {
            if (model.path(idField).isTextual() && models.size() < MAX_MODELS) {
                models.add(new ProviderModel(model.get(idField).asText(), "model",
                        model.path("owned_by").isTextual() ? model.get("owned_by").asText() : owner));
            }
        }
        return models;
    }

    private static ApiException badGateway(String message) {
        return new ApiException(HttpStatus.BAD_GATEWAY, message);
    }

    /** One model a provider serves, in OpenAI's shape. */
    record ProviderModel(String id, String object, String ownedBy) {
    }
}
