package ai.mule.gateway.agents;

import ai.mule.gateway.web.ResourceName;
import com.fasterxml.jackson.databind.JsonNode;

record NewAgentTool(@ResourceName String name, JsonNode config) {
}
