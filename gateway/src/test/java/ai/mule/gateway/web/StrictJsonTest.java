package ai.mule.gateway.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.mule.schemas.Limits;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.http.HttpStatus;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.http.converter.json.Jackson2ObjectMapperBuilder;
import org.springframework.mock.http.MockHttpInputMessage;

/** The request mapper as the gateway configures it: no coercion, storable text, nesting capped past the limit. */
class StrictJsonTest {

    record Body(String name, Integer count, Long timeoutMs, Double factor, Boolean flag, List<String> ids,
                JsonNode config) {
    }

    private final ObjectMapper mapper = mapper(Limits.DEFAULTS);

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "{\"name\": 123}                 | name: expected a string, got a number",
            "{\"name\": 1.5}                 | name: expected a string, got a decimal number",
            "{\"name\": true}                | name: expected a string, got a boolean",
            "{\"name\": {\"a\": 1}}          | name: expected a string, got an object",
            "{\"count\": \"12\"}             | count: expected a whole number, got a string",
            "{\"count\": 1.5}                | count: expected a whole number, got a decimal number",
            "{\"count\": true}               | count: expected a whole number, got a boolean",
            "{\"count\": \"\"}               | count: expected a whole number, got an empty string",
            "{\"timeout_ms\": \"100\"}       | timeout_ms: expected a whole number, got a string",
            "{\"factor\": \"2.5\"}           | factor: expected a number, got a string",
            "{\"flag\": \"true\"}            | flag: expected a boolean (true or false), got a string",
            "{\"flag\": 1}                   | flag: expected a boolean (true or false), got a number",
            "{\"ids\": \"one\"}              | ids: expected an array, got a string",
            "{\"ids\": [1]}                  | ids[0]: expected a string, got a number",
    })
    void refusesEveryCoercionNamingTheField(String json, String message) {
        ApiException refusal = refusal(json);

        assertThat(refusal.status()).isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(refusal.getMessage()).isEqualTo(message);
    }

    @Test
    void keepsWhatIsNotACoercion() throws Exception {
        Body body = mapper.readValue("{\"name\": \"\", \"count\": 3, \"factor\": 2, \"flag\": false, \"ids\": [], "
                + "\"config\": {\"n\": \"1\"}}", Body.class);

        assertThat(body.name()).isEmpty();
        assertThat(body.count()).isEqualTo(3);
        assertThat(body.factor()).isEqualTo(2.0);
        assertThat(body.flag()).isFalse();
        assertThat(body.config().get("n").asText()).isEqualTo("1");
    }

    @Test
    void refusesTextPostgresqlCannotStoreNamingWhere() {
        ApiException nul = refusal("{\"ids\": [\"ok\", \"a\\u0000b\"]}");
        ApiException surrogate = refusal("{\"name\": \"x\\ud800\"}");

        assertThat(nul.status()).isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(nul.getMessage()).startsWith("ids[1] holds a NUL character (U+0000) at position 1");
        assertThat(surrogate.getMessage()).startsWith("name holds an unpaired UTF-16 surrogate");
    }

    @Test
    void capsNestingAFewLevelsPastTheDepthLimitSoThatTheFieldCanBeNamed() throws Exception {
        String withinCap = "{\"config\": " + "[".repeat(64 + JsonLimits.ENVELOPE_LEVELS - 1)
                + "]".repeat(64 + JsonLimits.ENVELOPE_LEVELS - 1) + "}";
        String pastCap = "{\"config\": " + "[".repeat(200) + "]".repeat(200) + "}";

        Body deep = mapper.readValue(withinCap, Body.class);
        ApiException refusal = refusal(pastCap);

        assertThatThrownBy(() -> new RequestLimits(Limits.DEFAULTS).requireConfig("config", deep.config()))
                .isInstanceOf(ApiException.class)
                .hasMessageContaining("config: the step config nests deeper than the limit of 64 levels")
                .satisfies(e -> assertThat(((ApiException) e).limit()).isEqualTo("mule.limits.max-json-depth"));
        assertThat(refusal.status()).isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(refusal.getMessage()).contains("nested too deeply").contains("64 levels")
                .as("no parser internals").doesNotContain("StreamReadConstraints");
        assertThat(refusal.limit()).isEqualTo("mule.limits.max-json-depth");
    }

    @Test
    void refusesLargeConfigsWith413AndBadTextInsideFreeJsonWithItsPath() throws Exception {
        RequestLimits limits = new RequestLimits(new Limits(1_000_000, 64, 100, 100, 1000, 100));
        JsonNode big = mapper.readTree("{\"text\": \"" + "x".repeat(200) + "\"}");
        JsonNode nul = mapper.readTree("{\"a\": [{\"b\": \"x\\u0000\"}]}");

        assertThatThrownBy(() -> limits.requireConfig("config", big))
                .hasMessageContaining("config: the step config is 211 bytes as JSON, over the limit of 100 bytes")
                .satisfies(e -> assertThat(((ApiException) e).status()).isEqualTo(HttpStatus.PAYLOAD_TOO_LARGE));
        assertThatThrownBy(() -> limits.requireJobInput(nul))
                .hasMessageStartingWith("the job input $.a[0].b holds a NUL character")
                .satisfies(e -> assertThat(((ApiException) e).status()).isEqualTo(HttpStatus.BAD_REQUEST));
        assertThatThrownBy(() -> limits.requireSnapshot("workflow 'w'", 1001, HttpStatus.UNPROCESSABLE_ENTITY, "shrink"))
                .hasMessage("workflow 'w': the workflow snapshot is 1001 bytes as JSON, over the limit of 1000 bytes "
                        + "(mule.limits.max-snapshot-bytes); shrink");
    }

    private ApiException refusal(String json) {
        try {
            mapper.readValue(json, Body.class);
        } catch (Exception e) {
            return RequestErrors.unreadable(new HttpMessageNotReadableException("unreadable", e,
                    new MockHttpInputMessage(json.getBytes())));
        }
        throw new AssertionError("read without complaint: " + json);
    }

    private static ObjectMapper mapper(Limits limits) {
        Jackson2ObjectMapperBuilder builder = new Jackson2ObjectMapperBuilder()
                .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);
        new JsonLimits().strictRequestJson(limits).customize(builder);
        return builder.build();
    }
}
