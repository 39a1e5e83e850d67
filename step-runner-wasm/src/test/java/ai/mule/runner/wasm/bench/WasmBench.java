package ai.mule.runner.wasm.bench;

import ai.mule.runner.wasm.execution.LoadedModule;
import ai.mule.runner.wasm.execution.WasmLimits;
import ai.mule.runner.wasm.execution.WasmStepExecutor;
import ai.mule.runner.wasm.modules.CompiledModuleCache;
import ai.mule.runner.wasm.modules.ModuleCompiler;
import ai.mule.runner.wasm.steps.WasmStepHandler;
import ai.mule.schemas.JsonSerde;
import ai.mule.schemas.StepCommand;
import ai.mule.schemas.StepResult;
import ai.mule.schemas.WasmStep;
import ai.mule.testkit.WasmFixtures;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasi.WasiExitException;
import com.dylibso.chicory.wasi.WasiOptions;
import com.dylibso.chicory.wasi.WasiPreview1;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The WASM runner's per-run cost against a bare Chicory instantiate-and-call of the same compiled module,
 * measured side by side in one JVM (rounds alternate, so JIT and machine noise hit both alike), and its
 * throughput for a trivial module and a module of several megabytes. Kafka is not involved: this is the
 * runner's own overhead (stdin/stdout contract, limits, watchdog, WASI sandbox, result building).
 * <p>
 * Run: {@code ./mule bench-wasm} (or {@code mvn -f step-runner-wasm/pom.xml -Pbench test-compile org.codehaus.mojo:exec-maven-plugin:3.5.0:java}).
 */
public final class WasmBench {

    private static final int ROUNDS = 5;

    public static void main(String[] args) throws Exception {
        byte[] greet = WasmFixtures.wasm("greet.wasm");
        byte[] big = BigModule.of(4 * 1024 * 1024);
        System.out.printf("modules: greet.wasm %d bytes (C, wasi-libc); big.wasm %.1f MB (4 MiB data segment)%n",
                greet.length, big.length / 1e6);
        try (WasmStepExecutor executor = new WasmStepExecutor(new WasmLimits(Duration.ofSeconds(30), 1024, 1 << 20,
                1 << 20))) {
            Subject greetSubject = new Subject("greet", greet, executor);
            Subject bigSubject = new Subject("big", big, executor);
            compare(greetSubject, 20_000, 4_000);
            compare(bigSubject, 200, 100);
            throughput(greetSubject, 5);
            throughput(bigSubject, 5);
        }
    }

    /** Mean and median per run, bare vs runner, rounds interleaved. */
    private static void compare(Subject subject, int warmup, int runs) {
        for (int i = 0; i < warmup; i++) {
            subject.bare();
            subject.handler();
        }
        long[] bare = new long[runs * ROUNDS];
        long[] executor = new long[runs * ROUNDS];
        long[] handler = new long[runs * ROUNDS];
        for (int round = 0; round < ROUNDS; round++) {
            time(subject::bare, bare, round * runs, runs);
            time(subject::executor, executor, round * runs, runs);
            time(subject::handler, handler, round * runs, runs);
        }
        double bareMean = mean(bare);
        System.out.printf("%n%s: per run over %d runs (%d interleaved rounds), microseconds%n", subject.name,
                runs * ROUNDS, ROUNDS);
        System.out.printf("  %-44s mean %8.1f  p50 %8.1f  p99 %8.1f%n", "bare Chicory (instantiate + _start)", bareMean,
                pct(bare, 50), pct(bare, 99));
        System.out.printf("  %-44s mean %8.1f  p50 %8.1f  p99 %8.1f  = %.2fx bare%n", "runner: WasmStepExecutor.run",
                mean(executor), pct(executor, 50), pct(executor, 99), mean(executor) / bareMean);
        System.out.printf("  %-44s mean %8.1f  p50 %8.1f  p99 %8.1f  = %.2fx bare%n",
                "runner: WasmStepHandler.handle (step->result)", mean(handler), pct(handler, 50), pct(handler, 99),
                mean(handler) / bareMean);
    }

    /** Runs per second through the runner's handler, from 1 thread and from {@code threads}. */
    private static void throughput(Subject subject, int seconds) throws Exception {
        int cores = Runtime.getRuntime().availableProcessors();
        for (int threads : cores > 1 ? List.of(1, cores) : List.of(1)) {
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            AtomicLong runs = new AtomicLong();
            long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
            long started = System.nanoTime();
            Future<?>[] workers = new Future<?>[threads];
            for (int t = 0; t < threads; t++) {
                workers[t] = pool.submit(() -> {
                    while (System.nanoTime() < deadline) {
                        subject.handler();
                        runs.incrementAndGet();
                    }
                });
            }
            for (Future<?> worker : workers) {
                worker.get();
            }
            pool.shutdown();
            double elapsed = (System.nanoTime() - started) / 1e9;
            System.out.printf("%n%s throughput: %,.0f runs/s with %d thread(s) (%d runs in %.1f s)", subject.name,
                    runs.get() / elapsed, threads, runs.get(), elapsed);
        }
        System.out.println();
    }

    private static void time(Runnable run, long[] into, int from, int count) {
        for (int i = 0; i < count; i++) {
            long started = System.nanoTime();
            run.run();
            into[from + i] = System.nanoTime() - started;
        }
    }

    private static double mean(long[] nanos) {
        return Arrays.stream(nanos).average().orElse(0) / 1_000.0;
    }

    private static double pct(long[] nanos, int percentile) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, sorted.length * percentile / 100)] / 1_000.0;
    }

    /** One module, ready to run the three ways. */
    private static final class Subject {

        final String name;
        final LoadedModule loaded;
        final WasmStepExecutor executor;
        final WasmStepHandler handler;
        final StepCommand command;
        final JsonNode input = JsonSerde.mapper().createObjectNode().put("prompt", "World");
        final byte[] stdin;

        Subject(String name, byte[] bytes, WasmStepExecutor executor) throws Exception {
            this.name = name;
            this.executor = executor;
            String sha = WasmFixtures.sha256(bytes);
            CompiledModuleCache cache = new CompiledModuleCache(Map.of(sha, bytes)::get, new ModuleCompiler(true), 4);
            this.loaded = cache.get(sha);
            this.handler = new WasmStepHandler(cache, executor, Clock.systemUTC());
            this.command = StepCommand.of("bench", 0, 1, new WasmStep(1, null, "m", name, sha, null), input,
                    Instant.now(), null);
            this.stdin = JsonSerde.mapper().writeValueAsBytes(input);
            Supplier<String> check = () -> handler.handle(command, signal()).success() ? "ok" : "FAILED";
            if (!check.get().equals("ok")) {
                throw new IllegalStateException(name + " does not run through the runner");
            }
        }

        /** What any embedder of Chicory does at least: fresh WASI and instance, stdin in, stdout captured. */
        void bare() {
            ByteArrayOutputStream stdout = new ByteArrayOutputStream();
            WasiOptions options = WasiOptions.builder().withStdin(new ByteArrayInputStream(stdin))
                    .withStdout(stdout).withStderr(new ByteArrayOutputStream()).build();
            try (WasiPreview1 wasi = WasiPreview1.builder().withOptions(options).build()) {
                Instance instance = Instance.builder(loaded.module())
                        .withMachineFactory(loaded.machineFactory())
                        .withImportValues(ImportValues.builder().addFunction(wasi.toHostFunctions()).build())
                        .withStart(false)
                        .build();
                instance.export("_start").apply();
            } catch (WasiExitException e) {
                // proc_exit: the end of a C main
            }
            if (stdout.size() == 0) {
                throw new IllegalStateException("no output");
            }
        }

        void executor() {
            if (!executor.run(loaded, name, null, input, Duration.ofSeconds(30)).succeeded()) {
                throw new IllegalStateException("run failed");
            }
        }

        void handler() {
            handler.handle(command, signal());
        }
    }

    private static ai.mule.runner.runtime.CancelSignal signal() {
        return ai.mule.runner.runtime.CancelSignal.startingNow(java.time.Duration.ofSeconds(30), Clock.systemUTC());
    }
}
