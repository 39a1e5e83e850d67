package ai.mule.gateway.openai;

import ai.mule.gateway.web.ResourceNames;
import java.util.Optional;

/** A chat model id as Mule reads it: {@code workflow/<name>}, {@code async/workflow/<name>} or {@code agent/<name>}. */
record ModelRef(Kind kind, String name) {

    static final String ACCEPTED_FORMS = "workflow/<name> (wait for the result), async/workflow/<name> (get a job id at "
            + "once) or agent/<name>; GET /v1/models lists them";

    enum Kind {
        WORKFLOW("workflow/"), ASYNC_WORKFLOW("async/workflow/"), AGENT("agent/");

        final String prefix;

        Kind(String prefix) {
            this.prefix = prefix;
        }
    }

    static Optional<ModelRef> parse(String model) {
        // async/ first: "async/workflow/x" must not be read as a workflow named "async/..."
        for (Kind kind : new Kind[] {Kind.ASYNC_WORKFLOW, Kind.WORKFLOW, Kind.AGENT}) {
            if (model.startsWith(kind.prefix)) {
                String name = model.substring(kind.prefix.length());
                return ResourceNames.isValid(name) ? Optional.of(new ModelRef(kind, name)) : Optional.empty();
            }
        }
        return Optional.empty();
    }

    String id() {
        return kind.prefix + name;
    }
}
