package ai.mule.gateway.agents;

import com.fasterxml.jackson.databind.JsonNode;

/** Either a tool of the agent's own ({@code name}, {@code config}) or, as Mule v2 sends it, a standalone tool's {@code tool_id}. */
record NewAgentTool(String name, JsonNode config, String toolId) {
}
