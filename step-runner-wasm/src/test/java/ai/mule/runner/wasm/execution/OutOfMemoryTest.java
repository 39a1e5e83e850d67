package ai.mule.runner.wasm.execution;

import static org.assertj.core.api.Assertions.assertThat;

import ai.mule.runner.wasm.execution.LoadedModule.Engine;
import ai.mule.runner.wasm.modules.ModuleCompiler;
import ai.mule.runner.wasm.modules.ModuleUnavailableException;
import ai.mule.schemas.JsonSerde;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * An OutOfMemoryError during a run fails that step with limit_exceeded, a module too large to load is refused
 * before it fills the heap, and the same executor, on the same thread, runs the next step. Run in a JVM of its own with a 128 MB heap, so that the heap really fills up
 * (and this test's JVM is not the one that suffers).
 */
class OutOfMemoryTest {

    @Test
    void aModuleThatFillsTheHeapFailsItsStepAndTheNextStepRuns() throws Exception {
        Process probe = new ProcessBuilder(List.of(new File(System.getProperty("java.home"), "bin/java").getPath(),
                "-Xmx128m", "-cp", System.getProperty("java.class.path"), Probe.class.getName()))
                .redirectErrorStream(true)
                .start();
        boolean ended = probe.waitFor(90, TimeUnit.SECONDS);
        String output = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!ended) {
            probe.destroyForcibly();
        }

        assertThat(ended).as(output).isTrue();
        assertThat(probe.exitValue()).as(output).isZero();
        assertThat(output).contains("first: RESOURCE_LIMIT LIMIT_EXCEEDED module 'hog' exhausted the runner's heap (Java heap space)")
                .contains("big: RESOURCE_LIMIT module big (2 MiB) is too large for this runner")
                .contains("then: \"Hello, again!\"");
    }

    /** The runner's side: one executor, one thread, a module whose initial memory is twice the heap, then greet. */
    public static final class Probe {

        public static void main(String[] args) {
            // a ceiling far above the heap: only the JVM stops this module
            try (WasmStepExecutor executor = new WasmStepExecutor(new WasmLimits(Duration.ofSeconds(30), 65_536,
                    64 * 1024, 16 * 1024))) {
                LoadedModule hog = LoadedModule.interpreted("hog", com.dylibso.chicory.wasm.Parser.parse(
                        WasmBytes.memory(4_000)));
                WasmOutcome first = executor.run(hog, "hog", null, JsonSerde.mapper().createObjectNode(),
                        Duration.ofSeconds(30));
                System.out.println("first: " + first.failure().reason() + " " + first.failure().reason().kind() + " "
                        + first.failure().message());
                // 1.4 MB of code would take some 56 MB to parse: more than a quarter of this 128 MB heap
                try {
                    new ModuleCompiler(true).load("big", WasmBytes.hugeLoop(200_000, WasmBytes.BackEdge.BR_IF));
                    System.out.println("big: loaded");
                } catch (ModuleUnavailableException e) {
                    System.out.println("big: " + e.failure().reason() + " " + e.getMessage());
                }
                WasmOutcome then = executor.run(TestModules.load("greet.wasm", Engine.INTERPRETED), "greet", null,
                        JsonSerde.mapper().createObjectNode().put("prompt", "again"), Duration.ofSeconds(30));
                System.out.println("then: " + then.output());
            }
        }
    }
}
