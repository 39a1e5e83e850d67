package ai.mule.schemas;

import java.util.List;

/**
 * Where one step of a workflow graph sits and how it runs, beyond its {@link StepDefinition}: carried in a
 * {@link JobRequest}'s {@code flow}, one entry per step, in the same order. A job whose request has no flow runs its
 * steps in a line, as every job did before workflow graphs; the gateway sends a flow only for a workflow whose
 * steps use one of these fields. The gateway resolves and validates everything at save time: names are unique,
 * dependencies name existing steps (as indexes here), the graph has no cycle, expressions compile.
 *
 * @param name       the step's name, unique in its workflow: the key of its output in a join's input and in
 *                   expressions' {@code steps} map
 * @param dependsOn  the indexes of the steps whose outputs this one waits for; empty = starts from the job input.
 *                   One: its input is {@code {"prompt": output}} as in a line; several (a join): one object keyed by
 *                   the dependencies' names
 * @param joinPolicy {@link #FAIL_FAST} (null means it) or {@link #WAIT_ALL}
 * @param when       a CEL condition over {@code input} and {@code steps}; null = always runs
 * @param forEach    runs the step once per item of a list; null = once
 * @param fallback   runs, with the same input, when the step has failed for good; null = none
 */
public record StepFlow(String name, List<Integer> dependsOn, String joinPolicy, String when, ForEach forEach,
                       StepDefinition fallback) {

    public static final String FAIL_FAST = "fail_fast";
    public static final String WAIT_ALL = "wait_all";

    public StepFlow {
        dependsOn = dependsOn == null ? List.of() : List.copyOf(dependsOn);
    }

    /** Whether a failed dependency is handed to this step as {@code {"error": ...}} instead of failing the job. */
    public boolean waitsForAll() {
        return WAIT_ALL.equals(joinPolicy);
    }

    /**
     * A step run once per item.
     *
     * @param items         a CEL expression over {@code input} and {@code steps} that yields a JSON array
     * @param concurrency   how many items run at once (1..{@link #MAX_CONCURRENCY})
     * @param onItemFailure {@link #FAIL} (null means it): the first failed item fails the step; {@link #COLLECT}:
     *                      a failed item's slot in the output is {@code {"error": {...}}}
     */
    public record ForEach(String items, int concurrency, String onItemFailure) {

        public static final int DEFAULT_CONCURRENCY = 4;
        public static final int MAX_CONCURRENCY = 64;
        public static final String FAIL = "fail";
        public static final String COLLECT = "collect";

        public boolean collects() {
            return COLLECT.equals(onItemFailure);
        }
    }
}
