package ai.mule.runner.wasm.modules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.mule.runner.wasm.execution.LoadedModule;
import ai.mule.runner.wasm.execution.StepFailure.Reason;
import ai.mule.testkit.WasmFixtures;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CompiledModuleCacheTest {

    private static final byte[] GREET = WasmFixtures.wasm("greet.wasm");
    private static final String A = "a".repeat(64);
    private static final String B = "b".repeat(64);
    private static final String C = "c".repeat(64);

    /** An in-memory module source that counts fetches per sha256. */
    private static final class CountingSource implements ModuleSource {
        final Map<String, AtomicInteger> fetches = new ConcurrentHashMap<>();

        @Override
        public byte[] fetch(String sha256) {
            fetches.computeIfAbsent(sha256, k -> new AtomicInteger()).incrementAndGet();
            return GREET;
        }

        int count(String sha256) {
            return fetches.getOrDefault(sha256, new AtomicInteger()).get();
        }
    }

    @Test
    void concurrentFirstRequestsLoadAndCompileOnce() throws Exception {
        CountingSource source = new CountingSource();
        CompiledModuleCache cache = new CompiledModuleCache(source, new ModuleCompiler(true), 4);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<LoadedModule>> requests = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                requests.add(pool.submit(() -> {
                    go.await();
                    return cache.get(A);
                }));
            }
            go.countDown();
            LoadedModule first = requests.get(0).get();
            for (Future<LoadedModule> request : requests) {
                assertThat(request.get()).isSameAs(first);
            }
            assertThat(first.engine()).isEqualTo(LoadedModule.Engine.COMPILED);
            assertThat(source.count(A)).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void dropsTheLeastRecentlyUsedModuleBeyondItsCapacity() {
        CountingSource source = new CountingSource();
        CompiledModuleCache cache = new CompiledModuleCache(source, new ModuleCompiler(false), 2);

        cache.get(A);
        cache.get(B);
        cache.get(A);
        cache.get(C);
        cache.get(A);
        cache.get(B);

        assertThat(cache.size()).isEqualTo(2);
        assertThat(source.count(A)).isEqualTo(1);
        assertThat(source.count(B)).isEqualTo(2);
    }

    @Test
    void aFailedLoadIsTriedAgainNextTime() {
        AtomicInteger calls = new AtomicInteger();
        CompiledModuleCache cache = new CompiledModuleCache(sha -> {
            if (calls.incrementAndGet() == 1) {
                throw new ModuleUnavailableException(Reason.STORE_UNAVAILABLE, "database down");
            }
            return GREET;
        }, new ModuleCompiler(false), 2);

        assertThatThrownBy(() -> cache.get(A)).isInstanceOf(ModuleUnavailableException.class).hasMessage("database down");
        assertThat(cache.get(A).engine()).isEqualTo(LoadedModule.Engine.INTERPRETED);
        assertThat(calls).hasValue(2);
    }

    @Test
    void acceptsUpperCaseShaAndRefusesWhatIsNoSha() {
        CountingSource source = new CountingSource();
        CompiledModuleCache cache = new CompiledModuleCache(source, new ModuleCompiler(false), 2);

        assertThat(cache.get(A.toUpperCase()).sha256()).isEqualTo(A);
        assertThatThrownBy(() -> cache.get("not-a-sha"))
                .isInstanceOfSatisfying(ModuleUnavailableException.class,
                        e -> assertThat(e.failure().reason()).isEqualTo(Reason.MODULE_NOT_FOUND));
        assertThatThrownBy(() -> cache.get(null)).isInstanceOf(ModuleUnavailableException.class);
    }

    @Test
    void dropsTheLeastRecentlyUsedModulesPastTheHeapTheyMayTake() {
        CountingSource source = new CountingSource();
        long one = ModuleFootprint.estimate(GREET);
        // room for two modules by footprint, ten by count
        CompiledModuleCache cache = new CompiledModuleCache(source, new ModuleCompiler(true), 10, 2 * one);

        cache.get(A);
        cache.get(B);
        cache.get(A);
        cache.get(C);

        assertThat(cache.size()).isEqualTo(2);
        assertThat(cache.footprint()).isEqualTo(2 * one);
        cache.get(A);
        cache.get(B);
        assertThat(source.count(A)).isEqualTo(1);
        assertThat(source.count(B)).as("B was the least recently used when C came").isEqualTo(2);
        // a module larger than the whole budget is still kept while it is the one in use
        CompiledModuleCache tiny = new CompiledModuleCache(source, new ModuleCompiler(true), 10, one / 2);
        tiny.get(A);
        assertThat(tiny.size()).isEqualTo(1);
    }
}
