package ai.mule.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The fake answers what OpenAI clients parse, and records what they sent. */
class FakeOpenAiServerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CHAT = """
            {"model": "gpt-x", "messages": [
              {"role": "system", "content": "Be brief."},
              {"role": "user", "content": "Say hi to Ada"}]}""";

    private final FakeOpenAiServer openAi = FakeOpenAiServer.start();
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void stop() {
        openAi.close();
    }

    @Test
    void answersAChatCompletionWithUsageAndRecordsTheRequest() throws Exception {
        HttpResponse<String> response = post("/chat/completions", CHAT, "sk-1");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.path("object").asText()).isEqualTo("chat.completion");
        assertThat(body.path("model").asText()).isEqualTo("gpt-x");
        assertThat(body.at("/choices/0/message/content").asText()).isEqualTo("echo: Say hi to Ada");
        assertThat(body.at("/choices/0/finish_reason").asText()).isEqualTo("stop");
        assertThat(body.at("/usage/prompt_tokens").asInt()).isEqualTo(6);
        assertThat(body.at("/usage/completion_tokens").asInt()).isEqualTo(5);
        assertThat(body.at("/usage/total_tokens").asInt()).isEqualTo(11);
        FakeOpenAiServer.Request recorded = openAi.requests().get(0);
        assertThat(recorded.authorization()).isEqualTo("Bearer sk-1");
        assertThat(recorded.systemPrompt()).isEqualTo("Be brief.");
        assertThat(recorded.userMessage()).isEqualTo("Say hi to Ada");
    }

    @Test
    void answers401ToAnotherKeyAsOpenAiDoes() throws Exception {
        openAi.requireApiKey("sk-right");

        HttpResponse<String> response = post("/chat/completions", CHAT, "sk-wrong");

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(response.body()).at("/error/message").asText()).isEqualTo("Incorrect API key provided.");
    }

    @Test
    void failsWithTheGivenStatusAndMessage() throws Exception {
        openAi.failWith(429, "Rate limit reached");

        HttpResponse<String> response = post("/chat/completions", CHAT, "sk-1");

        assertThat(response.statusCode()).isEqualTo(429);
        assertThat(JSON.readTree(response.body()).at("/error/message").asText()).isEqualTo("Rate limit reached");
    }

    @Test
    void listsItsModels() throws Exception {
        openAi.models("a", "b");

        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(openAi.baseUrl() + "/models")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(JSON.readTree(response.body()).findValuesAsText("id")).containsExactly("a", "b");
    }

    private HttpResponse<String> post(String path, String body, String apiKey) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(openAi.baseUrl() + path))
                .header("Authorization", "Bearer " + apiKey)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
