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
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * Asks a provider for its models: {@code GET <api_base_url>/models}, the OpenAI-compatible list every provider
 * Mule talks to serves (OpenAI, Ollama, vLLM, LiteLLM...). Errors name the provider's status, never its key.
 */
@Component
class ProviderModels {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final int MAX_MODELS = 10_000;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT)
            .followRedirects(HttpClient.Redirect.NEVER).build();

    List<ProviderModel> list(ProviderRepository.Endpoint endpoint) {
        String base = endpoint.apiBaseUrl().endsWith("/") ? endpoint.apiBaseUrl() : endpoint.apiBaseUrl() + "/";
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + "models")).timeout(TIMEOUT).GET()
                .header("Accept", "application/json");
        if (endpoint.apiKey() != null && !endpoint.apiKey().isEmpty()) {
            request.header("Authorization", "Bearer " + endpoint.apiKey());
        }
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
            throw badGateway("the provider answered GET " + base + "models with HTTP " + response.statusCode()
                    + (response.statusCode() == 401 || response.statusCode() == 403 ? " (check its api_key)" : ""));
        }
        try {
            JsonNode data = JsonSerde.mapper().readTree(response.body()).path("data");
            if (!data.isArray()) {
                throw badGateway("the provider's model list has no 'data' array: is " + base + " OpenAI-compatible?");
            }
            List<ProviderModel> models = new ArrayList<>();
            for (JsonNode model : data) {
                if (model.path("id").isTextual() && models.size() < MAX_MODELS) {
                    models.add(new ProviderModel(model.get("id").asText(), "model",
                            model.path("owned_by").isTextual() ? model.get("owned_by").asText() : null));
                }
            }
            return models;
        } catch (IOException e) {
            throw badGateway("the provider's model list is not JSON: is " + base + " OpenAI-compatible?");
        }
    }

    private static ApiException badGateway(String message) {
        return new ApiException(HttpStatus.BAD_GATEWAY, message);
    }

    /** One model a provider serves, in OpenAI's shape. */
    record ProviderModel(String id, String object, String ownedBy) {
    }
}
