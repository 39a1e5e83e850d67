package ai.mule.gateway.providers;

import ai.mule.gateway.web.ApiException;
import ai.mule.netgate.GateRefusal;
import ai.mule.netgate.GatedRequest;
import ai.mule.netgate.GatedResponse;
import ai.mule.netgate.NetworkGate;
import ai.mule.schemas.JsonSerde;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.URI;
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
 *
 * <p>Through the {@link ProviderNetwork}'s gate: no redirect followed, at most {@link #MAX_BODY} read, no internal
 * address the operator did not allow.
 */
@Component
class ProviderModels {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final int MAX_MODELS = 10_000;
    /** Model lists hold hundreds of entries at most: 8 MB is far above any, and still a bounded read. */
    static final int MAX_BODY = 8 * 1024 * 1024;

    private final NetworkGate gate;

    ProviderModels(ProviderNetwork network) {
        this.gate = network.gate();
    }

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
        GatedResponse response;
        try {
            GatedRequest request = GatedRequest.get(URI.create(url), TIMEOUT, MAX_BODY).withHeader("Accept",
                    "application/json");
            for (Map.Entry<String, String> header : headers.entrySet()) {
                request = request.withHeader(header.getKey(), header.getValue());
            }
            response = gate.send(request);
        } catch (GateRefusal e) {
            throw badGateway("the provider at " + base + " is refused: " + e.getMessage());
        } catch (SocketTimeoutException e) {
            throw badGateway("the provider at " + base + " did not answer within " + TIMEOUT.toSeconds() + " s");
        } catch (IOException | IllegalArgumentException e) {
            throw badGateway("the provider at " + base + " could not be reached: " + e.getClass().getSimpleName());
        }
        if (response.status() != 200) {
            throw badGateway("the provider answered GET " + url + " with HTTP " + response.status()
                    + (response.status() == 401 || response.status() == 403 ? " (check its api_key)" : ""));
        }
        if (response.truncated()) {
            throw badGateway("the provider's model list is larger than " + MAX_BODY / (1024 * 1024) + " MB");
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
