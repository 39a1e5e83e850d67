package ai.mule.providers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.exception.HttpException;
import dev.langchain4j.exception.InternalServerException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ProviderErrorsTest {

    @Test
    void aNonJsonErrorPageIsShownShortened() {
        String page = "<html><body>" + "Bad gateway ".repeat(100) + "</body></html>";

        String error = ProviderErrors.describe(new InternalServerException(new HttpException(502, page)),
                "https://llm.example.com/v1", Duration.ofSeconds(120));

        assertThat(error).startsWith("provider failed (HTTP 502): <html><body>Bad gateway").endsWith("...");
        assertThat(error.length()).isLessThan(400);
    }

    @Test
    void anErrorThatIsAStringFieldIsShown() {
        String error = ProviderErrors.describe(new HttpException(429, "{\"error\": \"slow down\"}"),
                "https://llm.example.com/v1", Duration.ofSeconds(120));

        assertThat(error).isEqualTo("provider rate limit or quota exceeded (HTTP 429): slow down");
    }

    @Test
    void aNoChoicesAnswerKeepsLangchainsExplanation() {
        String error = ProviderErrors.describe(
                new InternalServerException("Chat completion failed: no choices returned in response"),
                "https://llm.example.com/v1", Duration.ofSeconds(120));

        assertThat(error).isEqualTo("provider call to https://llm.example.com/v1 failed: InternalServerException: "
                + "Chat completion failed: no choices returned in response");
    }
}
