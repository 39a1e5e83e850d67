package ai.mule.gateway.modules;

import ai.mule.gateway.web.ApiException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * Compiles a module source with the host's toolchain: wat2wasm for WAT, clang for C. Each compilation is a process in
 * a temp directory of its own, run on a small executor of its own (never a request thread), with an empty
 * environment and no stdin; it is killed, with its children, when it outlives {@code timeout} or its module or
 * messages outgrow their caps (watched every 50 ms while it runs, so a source that expands into gigabytes stops
 * at the cap, not at the disk's end).
 */
@Component
class SourceCompiler implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(SourceCompiler.class);
    private static final Pattern DIAGNOSTIC = Pattern.compile(
            "(?m)^[^:\\n]*:(\\d+):(\\d+): (?:fatal )?(error|warning): (.*)$");
    private static final long WATCH_MILLIS = 50;

    private final CompileProperties properties;
    private final ThreadPoolExecutor executor;

    SourceCompiler(CompileProperties properties) {
        this.properties = properties;
        this.executor = new ThreadPoolExecutor(properties.concurrency(), properties.concurrency(), 0, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(properties.queue()), runnable -> {
                    Thread thread = new Thread(runnable, "module-compiler");
                    thread.setDaemon(true);
                    return thread;
                });
    }

    /** The module's bytes; fails with a {@link CompileFailure} (the source's fault) or an {@link ApiException}. */
    CompletableFuture<byte[]> compile(SourceLanguage language, String source) {
        if (source.getBytes(StandardCharsets.UTF_8).length > properties.maxSource().toBytes()) {
            throw ApiException.limitExceeded(HttpStatus.PAYLOAD_TOO_LARGE, "source_code is larger than "
                    + properties.maxSource().toBytes() + " bytes; split the module or raise mule.modules.compile.max-source",
                    "mule.modules.compile.max-source");
        }
        if (language == SourceLanguage.C) {
            CSourceRules.check(source);
        }
        requireToolchain(language);
        try {
            return CompletableFuture.supplyAsync(() -> run(language, source), executor);
        } catch (RejectedExecutionException e) {
            throw new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "the gateway is compiling " + properties.concurrency()
                    + " module(s) with " + properties.queue() + " waiting; retry in a few seconds");
        }
    }

    /** A 503 saying what the host lacks, when it cannot compile this language. */
    void requireToolchain(SourceLanguage language) {
        if (language == SourceLanguage.WAT && !onPath(properties.wat2wasm())) {
            throw new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "this gateway's host cannot compile wat: '"
                    + properties.wat2wasm() + "' is not installed (Debian: apt-get install wabt; or set "
                    + "mule.modules.compile.wat2wasm)");
        }
        if (language == SourceLanguage.C && (!onPath(properties.clang())
                || !Files.isRegularFile(Path.of(properties.wasiSysroot(), "lib", "wasm32-wasi", "libc.a")))) {
            throw new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "this gateway's host cannot compile c: it needs "
                    + "clang with the wasm32 target and wasi-libc under " + properties.wasiSysroot() + " (Debian: apt-get "
                    + "install clang lld wasi-libc libclang-rt-14-dev-wasm32; or set mule.modules.compile.clang and "
                    + "mule.modules.compile.wasi-sysroot)");
        }
    }

    private byte[] run(SourceLanguage language, String source) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("mule-compile-");
            Path in = dir.resolve(language.fileName());
            Path out = dir.resolve("module.wasm");
            Path messages = dir.resolve("messages.txt");
            Files.writeString(in, source, StandardCharsets.UTF_8);
            ProcessBuilder builder = new ProcessBuilder(command(language, in, out)).directory(dir.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .redirectOutput(messages.toFile()).redirectErrorStream(true);
            builder.environment().clear();
            builder.environment().put("PATH", "/usr/local/bin:/usr/bin:/bin");
            Process process = builder.start();
            String stopped = watch(process, out, messages);
            String output = readCapped(messages);
            if (stopped != null) {
                throw ApiException.unprocessable("source_code: " + stopped);
            }
            if (process.exitValue() != 0 || !Files.isRegularFile(out)) {
                List<CompileFailure.Diagnostic> diagnostics = diagnostics(output);
                throw new CompileFailure(language.wire() + " compilation failed"
                        + (diagnostics.isEmpty() ? "" : " at line " + diagnostics.get(0).line() + ": "
                        + diagnostics.get(0).message()), diagnostics, output);
            }
            return Files.readAllBytes(out);
        } catch (IOException e) {
            throw new UncheckedIOException("compiling a " + language.wire() + " module failed on the host", e);
        } finally {
            delete(dir);
        }
    }

    private List<String> command(SourceLanguage language, Path in, Path out) {
        if (language == SourceLanguage.WAT) {
            return List.of(properties.wat2wasm(), in.getFileName().toString(), "-o", out.getFileName().toString());
        }
        // -s strips names and debug sections; -O2 as the examples are built
        return List.of(properties.clang(), "--target=wasm32-wasi", "--sysroot=" + properties.wasiSysroot(), "-O2", "-s",
                "-fno-color-diagnostics", "-fmessage-length=0", in.getFileName().toString(), "-o",
                out.getFileName().toString());
    }

    /** Waits for the process; null when it ended by itself, else why it was killed. */
    private String watch(Process process, Path out, Path messages) throws IOException {
        long deadline = System.nanoTime() + properties.timeout().toNanos();
        try {
            while (!process.waitFor(WATCH_MILLIS, TimeUnit.MILLISECONDS)) {
                String why = null;
                if (System.nanoTime() > deadline) {
                    why = "compilation did not finish within " + properties.timeout().toSeconds() + " s and was stopped; "
                            + "make the source smaller or simpler";
                } else if (size(out) > properties.maxOutput().toBytes()) {
                    why = tooLarge();
                } else if (size(messages) > 16 * properties.maxMessages().toBytes()) {
                    why = "the compiler printed more than " + 16 * properties.maxMessages().toBytes() + " bytes of "
                            + "messages and was stopped; fix the first errors first";
                }
                if (why != null) {
                    kill(process);
                    return why;
                }
            }
        } catch (InterruptedException e) {
            kill(process);
            Thread.currentThread().interrupt();
            throw new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "the gateway is stopping; retry the compilation");
        }
        if (size(out) > properties.maxOutput().toBytes()) {
            return tooLarge();
        }
        return null;
    }

    private String tooLarge() {
        return "the compiled module grew past " + properties.maxOutput().toBytes() + " bytes and was not kept; keep "
                + "large data out of the module (mule.modules.compile.max-output)";
    }

    private static void kill(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private String readCapped(Path messages) throws IOException {
        int cap = (int) properties.maxMessages().toBytes();
        try (InputStream in = Files.newInputStream(messages)) {
            byte[] head = in.readNBytes(cap);
            String text = new String(head, StandardCharsets.UTF_8).replace('\0', '\uFFFD');
            return in.read() < 0 ? text : text + "\n[... messages cut at " + cap + " bytes]";
        }
    }

    static List<CompileFailure.Diagnostic> diagnostics(String output) {
        List<CompileFailure.Diagnostic> found = new ArrayList<>();
        Matcher m = DIAGNOSTIC.matcher(output);
        while (m.find() && found.size() < 100) {
            found.add(new CompileFailure.Diagnostic(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                    m.group(3), m.group(4).strip()));
        }
        return found;
    }

    private static boolean onPath(String tool) {
        if (tool.contains("/")) {
            return Files.isExecutable(Path.of(tool));
        }
        return Stream.of("/usr/local/bin", "/usr/bin", "/bin").anyMatch(d -> Files.isExecutable(Path.of(d, tool)));
    }

    private static long size(Path file) {
        try {
            return Files.exists(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    private static void delete(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            log.warn("could not delete the compile directory {}: {}", dir, e.getMessage());
        }
    }

    @Override
    public void destroy() {
        executor.shutdownNow();
    }
}
