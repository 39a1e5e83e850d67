package ai.mule.gateway.agents;

import static ai.mule.gateway.Http.map;
import static org.assertj.core.api.Assertions.assertThat;

import ai.mule.gateway.Http;
import ai.mule.gateway.IntegrationTestBase;
import ai.mule.gateway.TestApi;
import ai.mule.schemas.AgentStep;
import ai.mule.schemas.AgentTool;
import ai.mule.schemas.JobRequest;
import ai.mule.schemas.Topics;
import ai.mule.testkit.FakeOllamaServer;
import ai.mule.testkit.TestKafka;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Provider kinds, agent settings, skills and typed tools: through the API, and into the job's snapshot on Kafka. */
class AgentSkillsAndToolsIT extends IntegrationTestBase {

    @Test
    void anAgentsKindSettingsSkillsAndToolsAreInTheSnapshotOfItsJob() {
        String provider = created(http.post("/api/v1/providers", map("name", TestApi.unique("ollama"), "kind", "ollama",
                "api_base_url", "http://127.0.0.1:11434"))).get("id").asText();
        JsonNode agent = created(http.post("/api/v1/agents", map("name", TestApi.unique("agent"), "provider_id", provider,
                "model_id", "llama3.2", "system_prompt", "Be brief.", "temperature", 0.7, "max_tokens", 300)));
        String agentId = agent.get("id").asText();
        assertThat(agent.get("temperature").asDouble()).isEqualTo(0.7);
        assertThat(agent.get("max_tokens").asInt()).isEqualTo(300);
        String skillName = TestApi.unique("tone");
        String skill = created(http.post("/api/v1/skills", map("name", skillName, "content", "Use a friendly tone.")))
                .get("id").asText();
        assertThat(http.post("/api/v1/agents/" + agentId + "/skills", map("skill_id", skill)).status()).isEqualTo(201);
        JsonNode module = api.module("upper.wasm", "{\"tool\": {\"description\": \"Upper-cases the prompt\", "
                + "\"input_schema\": {\"type\": \"object\", \"properties\": {\"prompt\": {\"type\": \"string\"}}}}}");
        assertThat(http.post("/api/v1/agents/" + agentId + "/tools", map("name", "fetch", "config",
                map("type", "http_fetch", "allowed_hosts", List.of("example.com")))).status()).isEqualTo(201);
        assertThat(http.post("/api/v1/agents/" + agentId + "/tools", map("name", "upper", "config",
                map("type", "wasm_module", "module_id", module.get("id").asText()))).status()).isEqualTo(201);
        assertThat(http.post("/api/v1/agents/" + agentId + "/tools", map("name", "notes", "config",
                map("max", 3))).status()).as("an untyped tool is kept as data").isEqualTo(201);
        String workflow = api.workflow().get("id").asText();
        api.agentStep(workflow, agentId);

        Http.Response accepted = http.post("/api/v1/jobs", map("workflow_id", workflow, "input_data", map("prompt", "hi")));
        assertThat(accepted.status()).as(accepted.toString()).isEqualTo(201);
        JobRequest request = TestKafka.read(Topics.JOB_REQUESTS, accepted.json().at("/data/id").asText(), 1,
                Duration.ofSeconds(15)).get(0);

        AgentStep step = (AgentStep) request.steps().get(0);
        assertThat(step.providerKind()).isEqualTo("ollama");
        assertThat(step.temperature()).isEqualTo(0.7);
        assertThat(step.maxTokens()).isEqualTo(300);
        assertThat(step.maxToolCalls()).as("setting max_tool_calls").isEqualTo(10);
        assertThat(step.systemPrompt()).isEqualTo("Be brief.\n\n## Skill: " + skillName + "\n\nUse a friendly tone.");
        assertThat(step.tools()).extracting(AgentTool::name).containsExactly("fetch", "upper");
        AgentTool upper = step.tools().get(1);
        assertThat(upper.kind()).isEqualTo(AgentTool.Kind.WASM_MODULE);
        assertThat(upper.description()).isEqualTo("Upper-cases the prompt");
        assertThat(upper.inputSchema().at("/properties/prompt/type").asText()).isEqualTo("string");
        assertThat(step.tools().get(0).inputSchema().at("/required/0").asText()).isEqualTo("url");
        assertThat(http.get("/api/v1/agents/" + agentId + "/skills").json().get("data").findValuesAsText("name"))
                .containsExactly(skillName);
    }

    @Test
    void badToolsSkillsAndSettingsAreRefusedClearly() {
        String provider = api.provider("k").get("id").asText();
        String agentId = api.agent(provider, "").get("id").asText();

        Http.Response kind = http.post("/api/v1/agents/" + agentId + "/tools", map("name", "x", "config", map("type", "shell")));
        Http.Response hosts = http.post("/api/v1/agents/" + agentId + "/tools", map("name", "f", "config", map("type", "http_fetch")));
        Http.Response dotted = http.post("/api/v1/agents/" + agentId + "/tools", map("name", "a.b", "config",
                map("type", "call_agent", "agent", "other")));
        Http.Response temperature = http.post("/api/v1/agents", map("name", TestApi.unique("a"), "provider_id", provider,
                "model_id", "m", "temperature", 3));
        Http.Response providerKind = http.post("/api/v1/providers", map("name", TestApi.unique("p"), "kind", "bedrock",
                "api_base_url", "http://x"));
        Http.Response skill = http.post("/api/v1/agents/" + agentId + "/skills",
                map("skill_id", "0f8fad5b-d9cb-469f-a165-70867728950e"));
        Http.Response emptySkill = http.post("/api/v1/skills", map("name", TestApi.unique("s"), "content", ""));

        assertThat(kind.status()).isEqualTo(400);
        assertThat(kind.json().get("detail").asText()).contains("http_fetch, call_workflow, call_agent, wasm_module");
        assertThat(hosts.status()).isEqualTo(400);
        assertThat(hosts.json().get("detail").asText()).contains("allowed_hosts");
        assertThat(dotted.status()).isEqualTo(400);
        assertThat(temperature.status()).isEqualTo(400);
        assertThat(temperature.json().toString()).contains("temperature");
        assertThat(providerKind.status()).isEqualTo(400);
        assertThat(providerKind.json().toString()).contains("ollama");
        assertThat(skill.status()).isEqualTo(422);
        assertThat(emptySkill.status()).isEqualTo(400);
        assertThat(http.get("/api/v1/agents/" + agentId + "/tools").json().get("data")).isEmpty();
    }

    @Test
    void puttingSkillIdsAttachesEachAndAnEmptyListAttachesNothing() {
        String skills = "/api/v1/agents/" + api.agent(api.provider("k").get("id").asText(), "").get("id").asText()
                + "/skills";
        String first = created(http.post("/api/v1/skills", map("name", TestApi.unique("s"), "content", "a")))
                .get("id").asText();
        String second = created(http.post("/api/v1/skills", map("name", TestApi.unique("s"), "content", "b")))
                .get("id").asText();
        assertThat(http.put(skills, map("skill_ids", List.of(first, second))).json().get("data")
                .findValuesAsText("id")).containsExactlyInAnyOrder(first, second);

        Http.Response none = http.put(skills, map("skill_ids", List.of()));
        Http.Response missing = http.put(skills, map());
        Http.Response nulled = http.put(skills, map("skill_ids", null));

        assertThat(none.status()).as(none.toString()).isEqualTo(200);
        assertThat(none.json().get("data").findValuesAsText("id")).as("those attached stay")
                .containsExactlyInAnyOrder(first, second);
        assertThat(http.delete(skills + "/" + first).status()).isEqualTo(204);
        assertThat(http.get(skills).json().get("data").findValuesAsText("id")).containsExactly(second);
        for (Http.Response refused : List.of(missing, nulled)) {
            assertThat(refused.status()).as(refused.toString()).isEqualTo(400);
            assertThat(refused.json().get("detail").asText()).contains("skill_ids is missing");
        }
    }

    @Test
    void skillsHaveCrudAndNamesAreUnique() {
        String name = TestApi.unique("skill");
        String id = created(http.post("/api/v1/skills", map("name", name, "description", "d", "content", "c1"))).get("id").asText();

        Http.Response duplicate = http.post("/api/v1/skills", map("name", name, "content", "c"));
        Http.Response updated = http.put("/api/v1/skills/" + id, map("name", name, "content", "c2"));
        Http.Response deleted = http.delete("/api/v1/skills/" + id);

        assertThat(duplicate.status()).isEqualTo(409);
        assertThat(updated.json().at("/data/content").asText()).isEqualTo("c2");
        assertThat(deleted.status()).isEqualTo(204);
        assertThat(http.get("/api/v1/skills/" + id).status()).isEqualTo(404);
    }

    @Test
    void anOllamaProvidersModelsComeFromItsTagList() {
        try (FakeOllamaServer ollama = FakeOllamaServer.start().models("llama3.2:latest", "qwen2.5:7b")) {
            String provider = created(http.post("/api/v1/providers", map("name", TestApi.unique("ollama"),
                    "kind", "ollama", "api_base_url", ollama.baseUrl()))).get("id").asText();

            Http.Response models = http.get("/api/v1/providers/" + provider + "/models");

            assertThat(models.status()).as(models.toString()).isEqualTo(200);
            assertThat(models.json().get("data").findValuesAsText("id")).containsExactly("llama3.2:latest", "qwen2.5:7b");
            assertThat(http.get("/api/v1/providers/" + provider).json().at("/data/kind").asText()).isEqualTo("ollama");
            // a PUT that leaves the kind out keeps it
            http.put("/api/v1/providers/" + provider, map("name", TestApi.unique("ollama"), "api_base_url", ollama.baseUrl()));
            assertThat(http.get("/api/v1/providers/" + provider).json().at("/data/kind").asText()).isEqualTo("ollama");
        }
    }

    private static JsonNode created(Http.Response response) {
        assertThat(response.status()).as(response.toString()).isEqualTo(201);
        return response.json().get("data");
    }
}
