package ai.mule.schemas;

/** Tokens a provider reported for a call (OpenAI's {@code usage}); summed over a job's steps. */
public record TokenUsage(int promptTokens, int completionTokens, int totalTokens) {

    public static final TokenUsage NONE = new TokenUsage(0, 0, 0);

    public TokenUsage plus(TokenUsage other) {
        if (other == null) {
            return this;
        }
        return new TokenUsage(promptTokens + other.promptTokens, completionTokens + other.completionTokens,
                totalTokens + other.totalTokens);
    }
}
