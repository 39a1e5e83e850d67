package ai.mule.gateway.agentcall;

import ai.mule.schemas.TokenUsage;

/** What an agent answered, with the tokens its provider counted (null when it reported none). */
public record AgentAnswer(String text, TokenUsage usage) {
}
