package ai.mule.schemas;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.function.Function;

/**
 * What the pipeline carries at most, defined once so that whatever one service accepts the next can carry:
 * every record fits a Kafka record and every value a PostgreSQL row. Each service enforces them where data
 * enters it (the gateway when a definition is saved or a job accepted, a runner on the output it publishes,
 * the orchestrator before it forwards anything), so that one job's data can only ever fail that job.
 * <p>
 * The defaults fit together: a step command is one step of a snapshot plus an input (at most a step output),
 * a job's state is its snapshot plus the current input, an event is an output plus two capped streams; each is
 * well under {@link #maxRecordBytes}. Raised by hand they may stop fitting, which is why the orchestrator still
 * checks every record it writes.
 * <p>
 * The last three bound how many jobs and items one job may make. {@link #maxCallDepth}: how many jobs one chain of
 * steps starting workflows (an agent's {@code call_workflow} tool, a module's {@code trigger_workflow_or_agent})
 * may start, one inside the other; the gateway checks it when such a job is asked for. {@link #maxForEachItems}: the
 * items of one for-each step, which the orchestrator checks when it has evaluated them. {@link #maxDescendantJobs}:
 * the jobs that the steps of one job and of the jobs they started have started (sub-workflow children, jobs of agent
 * tools and module host functions), which the gateway counts as it makes them.
 *
 * @param maxRecordBytes     the largest record any service writes to Kafka (the broker's and producers' default
 *                           {@code max.message.bytes}/{@code max.request.size} is 1 MiB)
 * @param maxJsonDepth       how deeply any JSON value (job input, step config, step output) may nest; a scalar is
 *                           depth 0, {@code []} depth 1
 * @param maxJobInputBytes   a job's input, as JSON
 * @param maxStepConfigBytes one step's (or module's) config, as JSON
 * @param maxSnapshotBytes   a job's whole workflow snapshot (every step definition), as JSON
 * @param maxStepOutputBytes one step's output, as JSON
 * @param maxCallDepth       how many workflow calls may nest through steps (an agent's {@code call_workflow} tool, a
 *                           module's {@code trigger_workflow_or_agent}): a job a client starts is at depth 0, a job
 *                           one of its steps starts at 1, and so on. Such a call binds its workflow when it runs, so
 *                           a workflow that calls itself (or W -> X -> W) is only found then; without this bound one
 *                           model or module could start jobs without end and fill the shared runners and
 *                           orchestrator. 0 = no workflow calls from steps
 * @param maxForEachItems    the items of one for-each step ({@link #checkForEachItems})
 * @param maxDescendantJobs  how many jobs the steps of one job that no step started (a client's, a schedule's)
 *                           may start, through sub-workflow steps, agent tools and module host functions, the jobs
 *                           those start included ({@link #checkDescendantJobs}); 0 = none
 */
public record Limits(int maxRecordBytes, int maxJsonDepth, int maxJobInputBytes, int maxStepConfigBytes,
                     int maxSnapshotBytes, int maxStepOutputBytes, int maxCallDepth, int maxForEachItems,
                     int maxDescendantJobs) {

    public static final Limits DEFAULTS = new Limits(1_000_000, 64, 256 * 1024, 128 * 1024, 256 * 1024, 512 * 1024, 5,
            1_000, 10_000);

    /** The property (or, upper-cased with underscores, environment variable) each limit is read from. */
    public static final String PREFIX = "mule.limits.";

    public Limits {
        if (maxRecordBytes < 64 * 1024 || maxJsonDepth < 2 || maxJobInputBytes < 1 || maxStepConfigBytes < 1
                || maxSnapshotBytes < 1 || maxStepOutputBytes < 1 || maxCallDepth < 0 || maxForEachItems < 1
                || maxDescendantJobs < 0) {
            throw new IllegalArgumentException("invalid limits: " + PREFIX + "max-record-bytes >= 65536, "
                    + PREFIX + "max-json-depth >= 2, every size >= 1, " + PREFIX + "max-call-depth >= 0, "
                    + PREFIX + "max-for-each-items >= 1, " + PREFIX + "max-descendant-jobs >= 0");
        }
    }

    /**
     * The size and depth limits with the default {@link #maxCallDepth}, {@link #maxForEachItems} and
     * {@link #maxDescendantJobs}: enough for a runner, which starts no jobs and runs no for-each.
     */
    public Limits(int maxRecordBytes, int maxJsonDepth, int maxJobInputBytes, int maxStepConfigBytes,
                  int maxSnapshotBytes, int maxStepOutputBytes) {
        this(maxRecordBytes, maxJsonDepth, maxJobInputBytes, maxStepConfigBytes, maxSnapshotBytes, maxStepOutputBytes,
                DEFAULTS.maxCallDepth, DEFAULTS.maxForEachItems, DEFAULTS.maxDescendantJobs);
    }

    /** These limits with another {@link #maxRecordBytes}. */
    public Limits withMaxRecordBytes(int bytes) {
        return new Limits(bytes, maxJsonDepth, maxJobInputBytes, maxStepConfigBytes, maxSnapshotBytes,
                maxStepOutputBytes, maxCallDepth, maxForEachItems, maxDescendantJobs);
    }

    /**
     * The limits as configured, each falling back to its default: {@code property} looks a name such as
     * {@code mule.limits.max-json-depth} up (Spring's {@code Environment::getProperty} also finds
     * {@code MULE_LIMITS_MAX_JSON_DEPTH}).
     */
    public static Limits from(Function<String, String> property) {
        return new Limits(
                read(property, "max-record-bytes", DEFAULTS.maxRecordBytes),
                read(property, "max-json-depth", DEFAULTS.maxJsonDepth),
                read(property, "max-job-input-bytes", DEFAULTS.maxJobInputBytes),
                read(property, "max-step-config-bytes", DEFAULTS.maxStepConfigBytes),
                read(property, "max-snapshot-bytes", DEFAULTS.maxSnapshotBytes),
                read(property, "max-step-output-bytes", DEFAULTS.maxStepOutputBytes),
                read(property, "max-call-depth", DEFAULTS.maxCallDepth),
                read(property, "max-for-each-items", DEFAULTS.maxForEachItems),
                read(property, "max-descendant-jobs", DEFAULTS.maxDescendantJobs));
    }

    /** A limit a value broke: {@code setting} names the limit's property, {@code message} says what and by how much. */
    public record Violation(String setting, String message) {
    }

    /** The job input's size and depth; text is checked separately ({@link PostgresText#problem}). */
    public Optional<Violation> checkJobInput(JsonNode input) {
        return check("the job input", input, "max-job-input-bytes", maxJobInputBytes);
    }

    public Optional<Violation> checkStepConfig(JsonNode config) {
        return check("the step config", config, "max-step-config-bytes", maxStepConfigBytes);
    }

    public Optional<Violation> checkStepOutput(JsonNode output) {
        return check("the step output", output, "max-step-output-bytes", maxStepOutputBytes);
    }

    /** A whole serialized snapshot (its depth is that of the configs inside it, checked one by one). */
    public Optional<Violation> checkSnapshotSize(int bytes) {
        return checkBytes("the workflow snapshot", bytes, "max-snapshot-bytes", maxSnapshotBytes);
    }

    /** A record about to be written to Kafka (key, value and headers together, roughly: the value dominates). */
    public Optional<Violation> checkRecordSize(String what, int bytes) {
        return checkBytes(what, bytes, "max-record-bytes", maxRecordBytes);
    }

    /**
     * A job started by a step (an agent's tool, a module's host function), {@code callDepth} workflow calls deep (0
     * for a job a client started): over {@link #maxCallDepth}, the calls have most likely become a loop.
     */
    public Optional<Violation> checkCallDepth(int callDepth) {
        if (callDepth <= maxCallDepth) {
            return Optional.empty();
        }
        return Optional.of(new Violation(PREFIX + "max-call-depth", "workflow calls from steps (agent tools, module "
                + "host functions) nest " + callDepth + " deep; at most " + maxCallDepth + " (" + PREFIX
                + "max-call-depth): a step of a workflow started by a step starts a workflow again"));
    }

    /**
     * The items of one for-each step. The job's state holds every item, and each item's result rewrites the whole
     * state, so a for-each's work grows with the square of its items: one of 15,000 items kept the orchestrator busy
     * for 99 s and other jobs' calls 100 times slower meanwhile.
     */
    public Optional<Violation> checkForEachItems(String step, int items) {
        if (items <= maxForEachItems) {
            return Optional.empty();
        }
        return Optional.of(new Violation(PREFIX + "max-for-each-items", "step '" + step + "' has " + items
                + " for_each items; at most " + maxForEachItems + " (" + PREFIX + "max-for-each-items): run them in "
                + "batches, e.g. a for_each over batches whose step is a sub-workflow with its own for_each"));
    }

    /**
     * The jobs started under the job {@code rootJobId} (one that no step started), counting the one about to be made.
     * A for-each over a sub-workflow step starts a job per item, and a child that does the same multiplies them (two
     * such levels of 1,000 items make a million jobs from one request); a module can start a job in a loop, and each
     * of those again: all of it fills the pipeline every user shares.
     */
    public Optional<Violation> checkDescendantJobs(String rootJobId, int jobs) {
        if (jobs <= maxDescendantJobs) {
            return Optional.empty();
        }
        return Optional.of(new Violation(PREFIX + "max-descendant-jobs", "the steps of job " + rootJobId + " and of "
                + "the jobs they started have started " + (jobs - 1) + " jobs, at most " + maxDescendantJobs + " ("
                + PREFIX + "max-descendant-jobs): a for_each over a sub-workflow, or a tool or module that starts "
                + "workflows, multiplies its jobs; give it fewer items, or start the batches as jobs of their own"));
    }

    public Optional<Violation> checkDepth(String what, JsonNode value) {
        int depth = depthOf(value, maxJsonDepth);
        if (depth <= maxJsonDepth) {
            return Optional.empty();
        }
        return Optional.of(new Violation(PREFIX + "max-json-depth", what + " nests deeper than the limit of "
                + maxJsonDepth + " levels (" + PREFIX + "max-json-depth); flatten it or pass it as a string"));
    }

    private Optional<Violation> check(String what, JsonNode value, String setting, int maxBytes) {
        if (value == null || value.isNull() || value.isMissingNode()) {
            return Optional.empty();
        }
        Optional<Violation> depth = checkDepth(what, value);
        return depth.isPresent() ? depth : checkBytes(what, sizeOf(value), setting, maxBytes);
    }

    private static Optional<Violation> checkBytes(String what, long bytes, String setting, int maxBytes) {
        if (bytes <= maxBytes) {
            return Optional.empty();
        }
        return Optional.of(new Violation(PREFIX + setting, what + " is " + bytes + " bytes as JSON, over the limit of "
                + maxBytes + " bytes (" + PREFIX + setting + ")"));
    }

    /**
     * How deeply {@code value} nests, counted without recursion (so a hostile value cannot overflow the stack);
     * stops counting once past {@code stopAfter}.
     */
    public static int depthOf(JsonNode value, int stopAfter) {
        if (value == null || !value.isContainerNode()) {
            return 0;
        }
        Deque<JsonNode> level = new ArrayDeque<>();
        level.add(value);
        int depth = 0;
        while (!level.isEmpty() && depth <= stopAfter) {
            depth++;
            Deque<JsonNode> next = new ArrayDeque<>();
            for (JsonNode node : level) {
                for (JsonNode child : node) {
                    if (child.isContainerNode()) {
                        next.add(child);
                    }
                }
            }
            level = next;
        }
        return depth;
    }

    /**
     * The size of {@code value} (a JSON tree or any message) as compact JSON, as it travels, counted without keeping
     * the bytes; {@link IllegalArgumentException} (with Jackson's exception as its cause) when it cannot be written.
     */
    public static long sizeOf(Object value) {
        CountingStream counter = new CountingStream();
        try {
            JsonSerde.mapper().writeValue(counter, value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the value cannot be written as JSON: " + e.getOriginalMessage(), e);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("counting bytes cannot fail", e);
        }
        return counter.count;
    }

    private static int read(Function<String, String> property, String name, int fallback) {
        String value = property.apply(PREFIX + name);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(PREFIX + name + " must be a whole number, got \"" + value + "\"", e);
        }
    }

    private static final class CountingStream extends OutputStream {
        private long count;

        @Override
        public void write(int b) {
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            count += len;
        }
    }
}
