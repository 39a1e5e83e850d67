package ai.mule.runner.wasm.metrics;

import ai.mule.runner.wasm.modules.CompiledModuleCache;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.springframework.stereotype.Component;

/**
 * The compiled module cache in Prometheus' terms: {@code mule_wasm_module_cache_hits_total},
 * {@code mule_wasm_module_cache_misses_total} (a miss fetches the module from PostgreSQL and compiles it, the
 * cost the cache exists to save), {@code mule_wasm_module_cache_modules} and
 * {@code mule_wasm_module_cache_footprint_bytes} (the heap its modules take, estimated). Read from the cache's own
 * counters at scrape time: nothing is added to a step's path.
 */
@Component
class ModuleCacheMetrics implements MeterBinder {

    private final CompiledModuleCache cache;

    ModuleCacheMetrics(CompiledModuleCache cache) {
        this.cache = cache;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        FunctionCounter.builder("mule.wasm.module.cache.hits", cache, CompiledModuleCache::hits)
                .description("Module requests answered from the compiled module cache")
                .register(registry);
        FunctionCounter.builder("mule.wasm.module.cache.misses", cache, CompiledModuleCache::misses)
                .description("Module requests that fetched and compiled the module")
                .register(registry);
        Gauge.builder("mule.wasm.module.cache.modules", cache, CompiledModuleCache::size)
                .description("Compiled modules held")
                .register(registry);
        Gauge.builder("mule.wasm.module.cache.footprint", cache, CompiledModuleCache::footprint)
                .description("Heap the compiled modules take, estimated")
                .baseUnit("bytes")
                .register(registry);
    }
}
