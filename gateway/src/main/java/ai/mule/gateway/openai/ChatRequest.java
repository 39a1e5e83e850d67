package ai.mule.gateway.openai;

import ai.mule.gateway.agentcall.Turn;
import ai.mule.schemas.PostgresText;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The parts of an OpenAI chat completion request that Mule uses, read from the raw JSON so that every mistake
 * gets its own message. Message contents may be strings or arrays of content parts (only text parts count).
 */
record ChatRequest(String model, List<String> contents, boolean stream, boolean includeUsage, List<Turn> turns,
                   Double temperature, Integer maxTokens) {

    ChatRequest(String model, List<String> contents, boolean stream, boolean includeUsage) {
        this(model, contents, stream, includeUsage, contents.stream().map(c -> new Turn(Turn.Role.USER, c)).toList(),
                null, null);
    }

    static ChatRequest from(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw OpenAiException.invalidRequest("the request body must be a JSON object with 'model' and 'messages', "
                    + "e.g. {\"model\": \"workflow/my-flow\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}",
                    null, "invalid_request_body");
        }
        JsonNode model = body.get("model");
        if (model == null || model.isNull()) {
            throw OpenAiException.invalidRequest("you must provide a model parameter: " + ModelRef.ACCEPTED_FORMS,
                    "model", "missing_required_parameter");
        }
        if (!model.isTextual() || model.asText().isBlank()) {
            throw OpenAiException.invalidRequest("model must be a non-empty string: " + ModelRef.ACCEPTED_FORMS,
                    "model", "invalid_type");
        }
        boolean stream = false;
        JsonNode streamNode = body.get("stream");
        if (streamNode != null && !streamNode.isNull()) {
            if (!streamNode.isBoolean()) {
                throw OpenAiException.invalidRequest("stream must be true or false", "stream", "invalid_type");
            }
            stream = streamNode.asBoolean();
        }
        // stream_options.include_usage: OpenAI's way to ask for a last chunk with the token counts
        JsonNode options = body.get("stream_options");
        boolean includeUsage = options != null && options.isObject() && options.path("include_usage").asBoolean(false);
        List<String> contents = contents(body.get("messages"));
        // the prompt is stored with the job: text PostgreSQL refuses is named here, where the caller put it
        PostgresText.problem(body.get("messages")).ifPresent(problem -> {
            throw OpenAiException.invalidRequest(problem.replaceFirst("\\$", "messages"), "messages", "invalid_text");
        });
        return new ChatRequest(model.asText(), contents, stream, includeUsage, turns(body.get("messages"), contents),
                temperature(body.get("temperature")), maxTokens(body));
    }

    /** OpenAI's {@code temperature} (0..2); for an agent it replaces the agent's own. */
    private static Double temperature(JsonNode value) {
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isNumber() || value.asDouble() < 0 || value.asDouble() > 2) {
            throw OpenAiException.invalidRequest("temperature must be a number from 0 to 2", "temperature", "invalid_value");
        }
        return value.asDouble();
    }

    /** {@code max_completion_tokens} (OpenAI's current name) or {@code max_tokens}; for an agent it replaces its own. */
    private static Integer maxTokens(JsonNode body) {
        String param = body.hasNonNull("max_completion_tokens") ? "max_completion_tokens" : "max_tokens";
        JsonNode value = body.get(param);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.canConvertToInt() || !value.isIntegralNumber() || value.asInt() < 1) {
            throw OpenAiException.invalidRequest(param + " must be a whole number of at least 1", param, "invalid_value");
        }
        return value.asInt();
    }

    /** All message contents joined with newlines: the job input's {@code prompt}, as Mule v2 builds it. */
    String prompt() {
        return String.join("\n", contents);
    }

    /**
     * The conversation with its roles ({@code developer} is OpenAI's newer name for {@code system}; a message without
     * a role counts as the user's). Messages without content (an assistant's tool calls) and tool results are left
     * out: Mule's agents are not given the caller's tools.
     */
    private static List<Turn> turns(JsonNode messages, List<String> contents) {
        List<Turn> turns = new ArrayList<>(contents.size());
        int next = 0;
        for (int i = 0; i < messages.size(); i++) {
            JsonNode message = messages.get(i);
            JsonNode content = message.get("content");
            if (content == null || content.isNull()) {
                continue;
            }
            String text = contents.get(next++);
            JsonNode role = message.get("role");
            String name = role == null || role.isNull() ? "user" : role.asText();
            switch (name) {
                case "system", "developer" -> turns.add(new Turn(Turn.Role.SYSTEM, text));
                case "user" -> turns.add(new Turn(Turn.Role.USER, text));
                case "assistant" -> turns.add(new Turn(Turn.Role.ASSISTANT, text));
                case "tool", "function" -> { }
                default -> throw OpenAiException.invalidRequest("messages[" + i + "].role must be one of system, "
                        + "developer, user, assistant or tool, not '" + name + "'", "messages[" + i + "].role",
                        "invalid_value");
            }
        }
        return turns;
    }

    private static List<String> contents(JsonNode messages) {
        if (messages == null || messages.isNull()) {
            throw OpenAiException.invalidRequest("you must provide a messages parameter: an array such as "
                    + "[{\"role\": \"user\", \"content\": \"hello\"}]", "messages", "missing_required_parameter");
        }
        if (!messages.isArray() || messages.isEmpty()) {
            throw OpenAiException.invalidRequest("messages must be a non-empty array such as "
                    + "[{\"role\": \"user\", \"content\": \"hello\"}]", "messages", "invalid_type");
        }
        List<String> contents = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            JsonNode message = messages.get(i);
            String param = "messages[" + i + "]";
            if (!message.isObject()) {
                throw OpenAiException.invalidRequest(param + " must be an object with 'role' and 'content'", param,
                        "invalid_type");
            }
            JsonNode content = message.get("content");
            if (content == null || content.isNull()) {
                continue; // e.g. an assistant message that only carried tool calls
            }
            if (content.isTextual()) {
                contents.add(content.asText());
            } else if (content.isArray()) {
                contents.add(textParts(content, param));
            } else {
                throw OpenAiException.invalidRequest(param + ".content must be a string or an array of content parts",
                        param + ".content", "invalid_type");
            }
        }
        return contents;
    }

    private static String textParts(JsonNode parts, String param) {
        List<String> texts = new ArrayList<>();
        for (JsonNode part : parts) {
            if (part.isObject() && "text".equals(part.path("type").asText()) && part.path("text").isTextual()) {
                texts.add(part.get("text").asText());
            } else if (!part.isObject()) {
                throw OpenAiException.invalidRequest(param + ".content parts must be objects such as "
                        + "{\"type\": \"text\", \"text\": \"hello\"}", param + ".content", "invalid_type");
            }
        }
        return String.join("\n", texts);
    }
}
