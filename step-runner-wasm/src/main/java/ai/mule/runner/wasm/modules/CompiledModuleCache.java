package ai.mule.runner.wasm.modules;

import ai.mule.runner.wasm.execution.LoadedModule;
import ai.mule.runner.wasm.execution.StepFailure.Reason;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Pattern;

/**
 * Loaded (compiled) modules by sha256, least recently used dropped first. Content addressing makes the
 * cache trivially correct: the bytes behind a sha256 never change, so an entry never goes stale.
 * <p>
 * The first request for a module fetches and compiles it on its own thread; concurrent requests for the
 * same module wait for that one load rather than compiling it again. A failed load is not kept: the
 * next request tries again (the module may have been stored since, or the database come back).
 * <p>
 * Bounded twice: by count, and by the heap its modules take ({@link ModuleFootprint}, half the JVM's heap by
 * default), since one large module can take hundreds of megabytes. The module just loaded always stays.
 */
public final class CompiledModuleCache {

    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    private final ModuleSource source;
    private final ModuleCompiler compiler;
    private final int capacity;
    private final long maxFootprint;
    // both guarded by entries' lock; footprints holds the loaded entries only
    private final LinkedHashMap<String, CompletableFuture<LoadedModule>> entries = new LinkedHashMap<>(16, 0.75f, true);
    private final Map<String, Long> footprints = new HashMap<>();
    private long footprint;
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();

    /** A cache whose modules take at most half of this JVM's heap. */
    public CompiledModuleCache(ModuleSource source, ModuleCompiler compiler, int capacity) {
        this(source, compiler, capacity, Runtime.getRuntime().maxMemory() / 2);
    }

    /** @param maxFootprint the most heap the cached modules may take together, estimated */
    public CompiledModuleCache(ModuleSource source, ModuleCompiler compiler, int capacity, long maxFootprint) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive, not " + capacity);
        }
        this.source = source;
        this.compiler = compiler;
        this.capacity = capacity;
        this.maxFootprint = maxFootprint;
    }

    /**
     * The module with this sha256, ready to run.
     *
     * @throws ModuleUnavailableException when it cannot be fetched or is not WebAssembly
     */
    public LoadedModule get(String sha256) {
        String key = normalize(sha256);
        CompletableFuture<LoadedModule> entry;
        boolean loadHere = false;
        synchronized (entries) {
            entry = entries.get(key);
            if (entry == null) {
                entry = new CompletableFuture<>();
                entries.put(key, entry);
                loadHere = true;
                evict(key);
            }
        }
        if (loadHere) {
            misses.increment();
            load(key, entry);
        } else {
            hits.increment();
        }
        try {
            return entry.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof ModuleUnavailableException unavailable) {
                throw unavailable;
            }
            throw new ModuleUnavailableException(Reason.RUNNER_ERROR, "loading module " + key + " failed: " + e.getCause(),
                    e.getCause());
        }
    }

    /** How many modules are held. */
    public int size() {
        synchronized (entries) {
            return entries.size();
        }
    }

    /** Requests answered by a module already loaded or being loaded (no fetch, no compile of their own). */
    public long hits() {
        return hits.sum();
    }

    /** Requests that fetched and compiled their module. */
    public long misses() {
        return misses.sum();
    }

    /** Heap the cached modules take, estimated. */
    public long footprint() {
        synchronized (entries) {
            return footprint;
        }
    }

    private void load(String key, CompletableFuture<LoadedModule> entry) {
        try {
            byte[] bytes = source.fetch(key);
            LoadedModule module = compiler.load(key, bytes);
            synchronized (entries) {
                if (entries.get(key) == entry) {
                    footprints.put(key, ModuleFootprint.estimate(bytes));
                    footprint += footprints.get(key);
                    evict(key);
                }
            }
            entry.complete(module);
        } catch (Throwable e) {
            synchronized (entries) {
                if (entries.remove(key, entry)) {
                    forget(key);
                }
            }
            if (e instanceof OutOfMemoryError) {
                // fetching a huge module: what filled the heap is garbage now, so its step fails and the runner goes on
                entry.completeExceptionally(new ModuleUnavailableException(Reason.RESOURCE_LIMIT, "loading module " + key
                        + " exhausted the runner's heap", e));
                return;
            }
            // complete even on an Error, or the requests waiting for this load would wait forever
            entry.completeExceptionally(e);
            if (e instanceof Error error) {
                throw error;
            }
        }
    }

    /** Drops least recently used entries, never {@code keep}, until both bounds hold. Holds entries' lock. */
    private void evict(String keep) {
        Iterator<Map.Entry<String, CompletableFuture<LoadedModule>>> eldest = entries.entrySet().iterator();
        while ((entries.size() > capacity || footprint > maxFootprint) && eldest.hasNext()) {
            String key = eldest.next().getKey();
            if (!key.equals(keep)) {
                eldest.remove();
                forget(key);
            }
        }
    }

    private void forget(String key) {
        Long gone = footprints.remove(key);
        if (gone != null) {
            footprint -= gone;
        }
    }

    private static String normalize(String sha256) {
        String key = sha256 == null ? "" : sha256.strip().toLowerCase(Locale.ROOT);
        if (!SHA256.matcher(key).matches()) {
            throw new ModuleUnavailableException(Reason.MODULE_NOT_FOUND,
                    "'" + sha256 + "' is not a sha256 (64 hex digits): the step names no module");
        }
        return key;
    }
}
