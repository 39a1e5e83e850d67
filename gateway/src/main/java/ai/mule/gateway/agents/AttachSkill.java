package ai.mule.gateway.agents;

import jakarta.validation.constraints.NotBlank;

record AttachSkill(@NotBlank(message = "is required: the id of a skill from GET /api/v1/skills") String skillId) {
}
