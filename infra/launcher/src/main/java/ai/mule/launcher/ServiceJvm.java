package ai.mule.launcher;

import java.util.ArrayList;
import java.util.List;

/**
 * How the local stack starts each service's JVM. Both keep small heaps and the serial collector (five JVMs share
 * the machine); they differ in the JIT. {@code MULE_JAVA_OPTS} replaces either.
 *
 * <p>Both raise the metaspace threshold that triggers a collection to 128 MB. A service has loaded 50-63 MB of classes
 * once it is ready, and from the JVM's default threshold (about 21 MB) each crossing was a full collection: eleven
 * across the four services while {@code ./mule up} started, 36-230 ms each, 0.65-1.05 s in all. Without them the
 * stack was ready in 15.6 s against 16.9 on average, sooner in five of six alternated pairs from an empty data
 * directory (2026-12-04); the first call took as long.
 */
enum ServiceJvm {

    /**
     * {@code ./mule up} and the tests: the C1 compiler only. Four services start in parallel, and C2 compiling the
     * same Spring, Kafka and Jackson code in each made the example ready in 24.8 s against 15.8 s with C1 only, its
     * first call 1.7-1.8 s against 1.0 s (two runs each on the 2-core VM, 2026-12-04).
     */
    QUICK_START("-XX:TieredStopAtLevel=1"),

    /**
     * {@code ./mule bench}: the JIT as a deployment runs it (C1, then C2 for the hot code), so the bench measures what
     * a long-running Mule does. With C2 done, a lone sync call cost the stack 15.5 ms of CPU against 24.1 ms on C1
     * alone, both after 180 s of warm-up (2026-12-04); before that, C2's compiling costs more than it saves, so the
     * bench warms up until the compilers settle (issue 14).
     */
    AS_DEPLOYED();

    /** What both choices share: the heap, the collector and the metaspace threshold (above). */
    private static final List<String> SHARED = List.of("-Xms64m", "-Xmx512m", "-XX:+UseSerialGC", "-XX:MetaspaceSize=128m");

    private final List<String> jit;

    ServiceJvm(String... jit) {
        this.jit = List.of(jit);
    }

    /** The JVM options for a service: {@code MULE_JAVA_OPTS} when set, else this choice's. */
    List<String> options() {
        String replaced = System.getenv("MULE_JAVA_OPTS");
        if (replaced != null && !replaced.isBlank()) {
            return List.of(replaced.trim().split("\\s+"));
        }
        List<String> options = new ArrayList<>(SHARED);
        options.addAll(jit);
        return options;
    }
}
