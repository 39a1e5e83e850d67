package ai.mule.gateway.web;

import ai.mule.schemas.Limits;
import ai.mule.schemas.PostgresText;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * The pipeline's {@link Limits} applied to what callers send, where it enters the gateway, so that whatever the
 * gateway accepts every later hop can carry. One rule for every endpoint (and for Kafka ingress, whose dead
 * letters carry the same messages):
 * <ul>
 *   <li><b>413</b> when a value is larger than its size limit: a step config, a job input, or the workflow
 *       snapshot that saving a step would make too large;</li>
 *   <li><b>400</b> when a value nests deeper than {@code mule.limits.max-json-depth}, or holds text PostgreSQL
 *       cannot store (NUL, an unpaired surrogate): the request is malformed for Mule, as a value of the wrong
 *       type is;</li>
 *   <li><b>422</b> when the request is fine but the job it would start is not: its saved workflow's snapshot is
 *       over the limit (a module or an agent grew after the steps were saved), it would nest workflow calls
 *       through agent tools deeper than {@code mule.limits.max-call-depth}, or a step started it past
 *       {@code mule.limits.max-descendant-jobs} (a sub-workflow's child fails its parent's step with the same
 *       message).</li>
 * </ul>
 * Each refusal names the value and the setting; problem details carry the setting as {@code limit}, OpenAI
 * errors as {@code param}, with {@code code: limit_exceeded}.
 */
@Component
public class RequestLimits {

    private static final Pattern ROOT = Pattern.compile(Pattern.quote("$"));

    private final Limits limits;

    public RequestLimits(Limits limits) {
        this.limits = limits;
    }

    public Limits limits() {
        return limits;
    }

    /** A step's config (or any free JSON stored with a definition and carried in job snapshots, e.g. a tool's). */
    public void requireConfig(String field, JsonNode config) {
        refuse(field, limits.checkStepConfig(config));
        requireStorableText(field, config);
    }

    /** A job's input (whatever the caller sent it as): depth and size, then text. */
    public void requireJobInput(JsonNode input) {
        refuse(null, limits.checkJobInput(input));
        requireStorableText("the job input $", input);
    }

    /**
     * A workflow's whole snapshot, serialized, as the orchestrator will hold it. {@code status} is 413 when the
     * request being answered made it too large, 422 when it was already too large.
     */
    public void requireSnapshot(String what, int bytes, HttpStatus status, String advice) {
        Optional<Limits.Violation> violation = limits.checkSnapshotSize(bytes);
        if (violation.isPresent()) {
            throw ApiException.limitExceeded(status, what + ": " + violation.get().message() + "; " + advice,
                    violation.get().setting());
        }
    }

    /** A job started {@code callDepth} workflow calls through agent tools deep (0: not by a tool). */
    public void requireCallDepth(int callDepth) {
        refuseJob(limits.checkCallDepth(callDepth));
    }

    /** One more job started under the root job {@code rootJobId}, which would make {@code jobs} of them. */
    public void requireDescendantJobs(String rootJobId, int jobs) {
        refuseJob(limits.checkDescendantJobs(rootJobId, jobs));
    }

    /** A job the request is fine for but that may not start: 422 with the limit's own message. */
    private static void refuseJob(Optional<Limits.Violation> violation) {
        violation.ifPresent(v -> {
            throw ApiException.limitExceeded(HttpStatus.UNPROCESSABLE_ENTITY, v.message(), v.setting());
        });
    }

    /**
     * Refuses a value holding text PostgreSQL cannot store, naming where: {@code field.path} (the value is read
     * only after its depth was checked, since the search recurses).
     */
    public static void requireStorableText(String field, JsonNode value) {
        if (value == null) {
            return;
        }
        PostgresText.problem(value).ifPresent(problem -> {
            throw ApiException.badRequest(ROOT.matcher(problem).replaceFirst(Matcher.quoteReplacement(field)));
        });
    }

    private static void refuse(String field, Optional<Limits.Violation> violation) {
        if (violation.isEmpty()) {
            return;
        }
        Limits.Violation v = violation.get();
        HttpStatus status = v.setting().endsWith("max-json-depth") ? HttpStatus.BAD_REQUEST : HttpStatus.PAYLOAD_TOO_LARGE;
        throw ApiException.limitExceeded(status, field == null ? v.message() : field + ": " + v.message(), v.setting());
    }
}
