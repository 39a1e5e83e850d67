package ai.mule.gateway.security;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Prints the refusal to listen without keys as Spring Boot's "APPLICATION FAILED TO START" report, not a stack trace. */
class UnsafeExposureFailureAnalyzer extends AbstractFailureAnalyzer<ExposureGuard.UnsafeExposureException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, ExposureGuard.UnsafeExposureException cause) {
        return new FailureAnalysis(cause.getMessage(), "Configure API keys: "
                + ExposureGuard.UnsafeExposureException.HOW + ".", cause);
    }
}
