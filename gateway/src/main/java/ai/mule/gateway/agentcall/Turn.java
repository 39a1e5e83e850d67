package ai.mule.gateway.agentcall;

/** One message of a conversation sent to an agent: {@code system}, {@code user} or {@code assistant}. */
public record Turn(Role role, String content) {

    public enum Role { SYSTEM, USER, ASSISTANT }
}
