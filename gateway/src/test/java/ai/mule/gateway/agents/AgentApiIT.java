package ai.mule.gateway.agents;

import static ai.mule.gateway.Http.map;
import static org.assertj.core.api.Assertions.assertThat;

import ai.mule.gateway.Http;
import ai.mule.gateway.IntegrationTestBase;
import ai.mule.gateway.TestApi;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

class AgentApiIT extends IntegrationTestBase {

    @Test
    void createsReadsAndListsAgents() {
        String providerId = api.provider("key").get("id").asText();
        String name = TestApi.unique("writer");

        Http.Response created = http.post("/api/v1/agents", map("name", name, "description", "writes",
                "provider_id", providerId, "model_id", "gpt-4o-mini", "system_prompt", "Be brief."));

        assertThat(created.status()).isEqualTo(201);
        JsonNode agent = created.json().get("data");
        assertThat(agent.get("provider_id").asText()).isEqualTo(providerId);
        assertThat(agent.get("model_id").asText()).isEqualTo("gpt-4o-mini");
        assertThat(agent.get("system_prompt").asText()).isEqualTo("Be brief.");
        Http.Response read = http.get("/api/v1/agents/" + agent.get("id").asText());
        assertThat(read.json().at("/data/name").asText()).isEqualTo(name);
        assertThat(http.get("/api/v1/agents?page_size=100").json().get("data").findValuesAsText("name")).contains(name);
    }

    @Test
    void refusesAnAgentOfAnUnknownProvider() {
        Http.Response unknown = http.post("/api/v1/agents", map("name", TestApi.unique("a"),
                "provider_id", "0f8fad5b-d9cb-469f-a165-70867728950e", "model_id", "m"));
        assertThat(unknown.status()).isEqualTo(422);
        assertThat(unknown.json().get("detail").asText()).contains("names no provider");

        Http.Response malformed = http.post("/api/v1/agents", map("name", TestApi.unique("a"),
                "provider_id", "nope", "model_id", "m"));
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.json().get("detail").asText()).contains("provider_id must be a UUID");

        Http.Response missingModel = http.post("/api/v1/agents", map("name", TestApi.unique("a"),
                "provider_id", "0f8fad5b-d9cb-469f-a165-70867728950e"));
        assertThat(missingModel.status()).isEqualTo(400);
        assertThat(missingModel.json().get("detail").asText()).contains("model_id is required");
    }
}
