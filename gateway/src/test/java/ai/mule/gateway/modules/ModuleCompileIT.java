package ai.mule.gateway.modules;

import static ai.mule.gateway.Http.map;
import static org.assertj.core.api.Assertions.assertThat;

import ai.mule.gateway.Http;
import ai.mule.gateway.IntegrationTestBase;
import ai.mule.gateway.TestApi;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/** Mule v2's compile, source and example endpoints, with the host's real wat2wasm and clang. */
class ModuleCompileIT extends IntegrationTestBase {

    @Test
    void theExamplesCompileAndTheirSourcesAreStoredWithTheModules() {
        for (String language : new String[] {"wat", "c"}) {
            String example = http.get("/api/v1/wasm-modules/example?language=" + language).json().at("/data/example_code")
                    .asText();
            String name = TestApi.unique("compiled-" + language);

            Http.Response compiled = http.post("/api/v1/wasm-modules/compile", map("name", name, "description", "d",
                    "language", language, "source_code", example, "config", "{\"greeting\": \"hi\"}"));

            assertThat(compiled.status()).as(compiled.toString()).isEqualTo(201);
            String id = compiled.json().at("/data/module_id").asText();
            assertThat(compiled.json().at("/data/compilation_status").asText()).isEqualTo("success");
            JsonNode module = http.get("/api/v1/wasm-modules/" + id).json().get("data");
            assertThat(module.get("name").asText()).isEqualTo(name);
            assertThat(module.at("/config/greeting").asText()).isEqualTo("hi");
            JsonNode source = http.get("/api/v1/wasm-modules/" + id + "/source").json().get("data");
            assertThat(source.get("language").asText()).isEqualTo(language);
            assertThat(source.get("source_code").asText()).isEqualTo(example);
        }
    }

    @Test
    void compilerErrorsComeBackAs422WithTheirLines() {
        Http.Response failed = http.post("/api/v1/wasm-modules/compile", map("name", TestApi.unique("bad"),
                "language", "c", "source_code", "#include <stdio.h>\nint main(void) {\n  return undefined_name;\n}\n"));

        assertThat(failed.status()).as(failed.toString()).isEqualTo(422);
        assertThat(failed.json().get("detail").asText()).contains("at line 3");
        assertThat(failed.json().at("/errors/0/line").asInt()).isEqualTo(3);
        assertThat(failed.json().at("/errors/0/message").asText()).contains("undefined_name");
        assertThat(failed.json().get("compiler_output").asText()).contains("module.c:3:");
    }

    @Test
    void goTheDefaultOfMuleV2AndHostileSourcesAreRefusedClearly() {
        Http.Response go = http.post("/api/v1/wasm-modules/compile", map("name", TestApi.unique("go"),
                "source_code", "package main\nfunc main() {}\n"));
        Http.Response goExample = http.get("/api/v1/wasm-modules/example?language=go");
        Http.Response huge = http.post("/api/v1/wasm-modules/compile", map("name", TestApi.unique("huge"),
                "language", "wat", "source_code", ";;" + "x".repeat(10_000_000)));
        Http.Response nul = http.postRaw("/api/v1/wasm-modules/compile", "{\"name\": \"" + TestApi.unique("nul")
                + "\", \"language\": \"wat\", \"source_code\": \"(module)\\u0000\"}");
        Http.Response include = http.post("/api/v1/wasm-modules/compile", map("name", TestApi.unique("inc"),
                "language", "c", "source_code", "#include \"/etc/passwd\"\nint main(void) { return 0; }\n"));
        Http.Response empty = http.post("/api/v1/wasm-modules/compile", map("name", TestApi.unique("e"),
                "language", "wat", "source_code", ""));
        Http.Response noSource = http.get("/api/v1/wasm-modules/" + api.module("upper.wasm", "{}").get("id").asText()
                + "/source");

        assertThat(go.status()).isEqualTo(422);
        assertThat(go.json().get("detail").asText()).contains("'go' is not supported").contains("wat, c");
        assertThat(goExample.status()).isEqualTo(422);
        assertThat(huge.status()).isEqualTo(413);
        assertThat(nul.status()).as(nul.toString()).isEqualTo(400);
        assertThat(nul.json().toString()).contains("source_code");
        assertThat(include.status()).isEqualTo(422);
        assertThat(include.json().get("detail").asText()).contains("only system headers");
        assertThat(include.body()).doesNotContain("root:");
        assertThat(empty.status()).isEqualTo(400);
        assertThat(noSource.status()).isEqualTo(404);
        assertThat(noSource.json().get("detail").asText()).contains("uploaded as a binary");
    }
}
