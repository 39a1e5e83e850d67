package ai.mule.gateway.workflows;

import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.databind.JsonNode;

/** A step to add; {@code type} (Mule v2's name) is accepted for {@code step_type}. */
record NewWorkflowStep(@JsonAlias("type") String stepType, String wasmModuleId, String agentId, Integer stepOrder,
                       JsonNode config) {
}
