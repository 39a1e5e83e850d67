package ai.mule.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

class PostgresTextTest {

    @Test
    void cleanTextIsReturnedAsItIs() throws Exception {
        JsonNode value = JsonSerde.mapper().readTree("{\"a\":[\"ok \uD83D\uDE00\"]}");

        assertThat(PostgresText.storable(value)).isSameAs(value);
        assertThat(PostgresText.problem(value)).isEmpty();
    }

    @Test
    void nulAndUnpairedSurrogatesBecomeTheReplacementCharacter() {
        assertThat(PostgresText.storable("before\u0000after")).isEqualTo("before\uFFFDafter");
        assertThat(PostgresText.storable("a\uD800b\uDC00c\uD83D\uDE00")).isEqualTo("a\uFFFDb\uFFFDc\uD83D\uDE00");
        assertThat(PostgresText.storable("end\uD800")).isEqualTo("end\uFFFD");
    }

    @Test
    void jsonIsCleanedInValuesAndKeysAtAnyDepth() throws Exception {
        JsonNode value = JsonSerde.mapper().readTree("{\"message\":\"before\\u0000after\",\"k\\u0000\":[1,{\"x\":\"\\ud800\"}]}");

        JsonNode clean = PostgresText.storable(value);

        assertThat(clean.get("message").textValue()).isEqualTo("before\uFFFDafter");
        assertThat(clean.get("k\uFFFD").get(1).get("x").textValue()).isEqualTo("\uFFFD");
        assertThat(PostgresText.problem(clean)).isEmpty();
    }

    @Test
    void aProblemNamesWhereTheTextIs() throws Exception {
        JsonNode value = JsonSerde.mapper().readTree("{\"input\":{\"items\":[\"ok\",\"bad\\u0000\"]}}");

        assertThat(PostgresText.problem(value)).hasValue(
                "$.input.items[1] holds a NUL character (U+0000) at position 3, which cannot be stored; "
                        + "remove it or encode the data (e.g. base64)");
        assertThat(PostgresText.problem(JsonSerde.mapper().readTree("[\"\\udc00\"]")).orElseThrow())
                .startsWith("$[0] holds an unpaired UTF-16 surrogate (\\udc00) at position 0");
    }
}
