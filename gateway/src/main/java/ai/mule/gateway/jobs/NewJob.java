package ai.mule.gateway.jobs;

import com.fasterxml.jackson.databind.JsonNode;

/** Mule v2's job request: what to run (one of the ids) and its input; {@code working_directory} is optional. */
record NewJob(String workflowId, String wasmModuleId, String agentId, JsonNode inputData, String workingDirectory) {
}
