package ai.mule.runner.agent.execution;

/** The step names a provider that does not exist (deleted after the job was accepted, or never created). */
public class UnknownProviderException extends RuntimeException {

    public UnknownProviderException(String providerId) {
        super("unknown provider " + providerId);
    }
}
