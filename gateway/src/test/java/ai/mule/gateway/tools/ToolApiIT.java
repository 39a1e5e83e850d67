package ai.mule.gateway.tools;

import static ai.mule.gateway.Http.map;
import static org.assertj.core.api.Assertions.assertThat;

import ai.mule.gateway.Http;
import ai.mule.gateway.IntegrationTestBase;
import ai.mule.gateway.TestApi;
import ai.mule.schemas.AgentStep;
import ai.mule.schemas.AgentTool;
import ai.mule.schemas.JobRequest;
import ai.mule.schemas.Topics;
import ai.mule.testkit.TestKafka;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Standalone tools (Mule v2's /api/v1/tools) and agents that refer to them by id, into the job's snapshot. */
class ToolApiIT extends IntegrationTestBase {

    @Test
    void aToolHasCrudInMuleV2sShapeAndNamesAreUnique() {
        String name = TestApi.unique("weather");
        JsonNode tool = created(http.post("/api/v1/tools", map("name", name, "description", "Gets the weather",
                "metadata", map("tool_type", "http", "config", map("allowed_hosts", List.of("api.weather.example"))))));
        String id = tool.get("id").asText();

        Http.Response duplicate = http.post("/api/v1/tools", map("name", name, "metadata", map("tool_type", "memory")));
        Http.Response updated = http.put("/api/v1/tools/" + id, map("name", name, "description", "d2",
                "metadata", map("tool_type", "database", "config", map("dsn", "x"))));
        Http.Response listed = http.get("/api/v1/tools?page_size=100");
        Http.Response deleted = http.delete("/api/v1/tools/" + id);

        assertThat(tool.at("/metadata/tool_type").asText()).isEqualTo("http");
        assertThat(tool.at("/metadata/config/allowed_hosts/0").asText()).isEqualTo("api.weather.example");
        assertThat(duplicate.status()).isEqualTo(409);
        assertThat(updated.json().at("/data/metadata/tool_type").asText()).isEqualTo("database");
        assertThat(updated.json().at("/data/description").asText()).isEqualTo("d2");
        assertThat(listed.json().get("data").findValuesAsText("name")).contains(name);
        assertThat(deleted.status()).isEqualTo(204);
        assertThat(http.get("/api/v1/tools/" + id).status()).isEqualTo(404);
        assertThat(http.delete("/api/v1/tools/" + id).status()).isEqualTo(404);
    }

    @Test
    void badToolsAreRefusedNamingTheField() {
        Http.Response noMetadata = http.post("/api/v1/tools", map("name", TestApi.unique("t")));
        Http.Response noType = http.post("/api/v1/tools", map("name", TestApi.unique("t"), "metadata", map("config", map())));
        Http.Response badType = http.post("/api/v1/tools", map("name", TestApi.unique("t"), "metadata",
                map("tool_type", "shell")));
        Http.Response badConfig = http.post("/api/v1/tools", map("name", TestApi.unique("t"), "metadata",
                map("tool_type", "http", "config", map("type", "http_fetch"))));
        Http.Response badName = http.post("/api/v1/tools", map("name", "../etc", "metadata", map("tool_type", "http")));
        Http.Response nul = http.postRaw("/api/v1/tools", "{\"name\": \"a\\u0000b\", \"metadata\": {\"tool_type\": \"http\"}}");
        Http.Response huge = http.post("/api/v1/tools", map("name", TestApi.unique("t"), "metadata",
                map("tool_type", "http", "config", map("notes", "x".repeat(200_000)))));

        assertThat(noMetadata.status()).isEqualTo(400);
        assertThat(noMetadata.json().get("detail").asText()).contains("metadata is required");
        assertThat(noType.json().get("detail").asText()).contains("metadata.tool_type is required");
        assertThat(badType.status()).isEqualTo(400);
        assertThat(badType.json().get("detail").asText()).contains("http, database, memory, filesystem");
        assertThat(badConfig.status()).isEqualTo(400);
        assertThat(badConfig.json().get("detail").asText()).contains("metadata.config.allowed_hosts");
        assertThat(badName.status()).isEqualTo(400);
        assertThat(nul.status()).as(nul.toString()).isEqualTo(400);
        assertThat(huge.status()).as(huge.toString()).isEqualTo(413);
        assertThat(huge.json().toString()).contains("metadata");
    }

    @Test
    void anAgentRefersToAToolByIdAndItsJobsSnapshotCarriesTheResolvedTool() {
        String provider = api.provider("k").get("id").asText();
        String agentId = api.agent(provider, "Be brief.").get("id").asText();
        String fetch = created(http.post("/api/v1/tools", map("name", TestApi.unique("fetch"), "description",
                "Reads the docs", "metadata", map("tool_type", "http", "config",
                        map("allowed_hosts", List.of("docs.example.com")))))).get("id").asText();
        String notes = created(http.post("/api/v1/tools", map("name", TestApi.unique("notes"), "metadata",
                map("tool_type", "memory", "config", map("namespace", "n"))))).get("id").asText();
        assertThat(http.post("/api/v1/agents/" + agentId + "/tools", map("tool_id", fetch)).status()).isEqualTo(201);
        assertThat(http.post("/api/v1/agents/" + agentId + "/tools", map("tool_id", notes)).status()).isEqualTo(201);
        Http.Response unknown = http.post("/api/v1/agents/" + agentId + "/tools",
                map("tool_id", "0f8fad5b-d9cb-469f-a165-70867728950e"));
        String workflow = api.workflow().get("id").asText();
        api.agentStep(workflow, agentId);

        Http.Response accepted = http.post("/api/v1/jobs", map("workflow_id", workflow, "input_data", map("prompt", "hi")));
        JobRequest request = TestKafka.read(Topics.JOB_REQUESTS, accepted.json().at("/data/id").asText(), 1,
                Duration.ofSeconds(15)).get(0);

        assertThat(unknown.status()).isEqualTo(422);
        AgentStep step = (AgentStep) request.steps().get(0);
        assertThat(step.tools()).as("a memory tool is data only: not offered to the model").hasSize(1);
        AgentTool tool = step.tools().get(0);
        assertThat(tool.kind()).isEqualTo(AgentTool.Kind.HTTP_FETCH);
        assertThat(tool.description()).isEqualTo("Reads the docs");
        assertThat(tool.config().at("/allowed_hosts/0").asText()).isEqualTo("docs.example.com");
        assertThat(http.get("/api/v1/agents/" + agentId + "/tools").json().get("data").findValuesAsText("tool_id"))
                .containsExactlyInAnyOrder(fetch, notes);

        assertThat(http.delete("/api/v1/agents/" + agentId + "/tools/" + fetch).status()).isEqualTo(204);
        http.delete("/api/v1/tools/" + notes);
        assertThat(http.get("/api/v1/agents/" + agentId + "/tools").json().get("data")).isEmpty();
    }

    private static JsonNode created(Http.Response response) {
        assertThat(response.status()).as(response.toString()).isEqualTo(201);
        return response.json().get("data");
    }
}
