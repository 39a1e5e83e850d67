package ai.mule.gateway.modules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.mule.gateway.web.ApiException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.util.unit.DataSize;

/** The host's real wat2wasm and clang (CI installs wabt, clang, lld, wasi-libc, libclang-rt-14-dev-wasm32). */
class SourceCompilerTest {

    @TempDir
    Path tmp;

    @Test
    void compilesWatAndCToModulesThatPassTheUploadValidation() {
        SourceCompiler compiler = new SourceCompiler(properties(Duration.ofSeconds(30), DataSize.ofMegabytes(16), "wat2wasm"));

        byte[] wat = compiler.compile(SourceLanguage.WAT, "(module (func (export \"_start\")))").join();
        byte[] c = compiler.compile(SourceLanguage.C, "#include <stdio.h>\nint main(void) { puts(\"{}\"); return 0; }\n")
                .join();

        assertThat(WasmBinaryValidator.validate(wat).sizeBytes()).isEqualTo(wat.length);
        assertThat(WasmBinaryValidator.validate(c).sizeBytes()).isEqualTo(c.length);
        compiler.destroy();
    }

    @Test
    void aCompilerErrorComesBackWithItsLineAndColumn() {
        SourceCompiler compiler = new SourceCompiler(properties(Duration.ofSeconds(30), DataSize.ofMegabytes(16), "wat2wasm"));

        Throwable wat = thrown(compiler, SourceLanguage.WAT, "(module\n  (func (export \"_start\")\n    (bogus)))\n");
        Throwable c = thrown(compiler, SourceLanguage.C, "int main(void) {\n  return 0\n}\n");

        assertThat(wat).isInstanceOf(CompileFailure.class);
        assertThat(((CompileFailure) wat).diagnostics()).first().satisfies(d -> {
            assertThat(d.line()).isEqualTo(3);
            assertThat(d.severity()).isEqualTo("error");
        });
        assertThat(c).isInstanceOf(CompileFailure.class).hasMessageContaining("at line 2");
        assertThat(((CompileFailure) c).output()).contains("module.c:2:");
        compiler.destroy();
    }

    @Test
    void aModuleThatGrowsPastTheOutputCapIsStopped() {
        SourceCompiler compiler = new SourceCompiler(properties(Duration.ofSeconds(60), DataSize.ofMegabytes(1), "wat2wasm"));

        // a source of 400 bytes whose string literals expand to 16 MiB of data in the module
        Throwable huge = thrown(compiler, SourceLanguage.C, """
                #define A "xxxxxxxxxxxxxxxx"
                #define B A A A A A A A A A A A A A A A A
                #define C B B B B B B B B B B B B B B B B
                #define D C C C C C C C C C C C C C C C C
                #define E D D D D D D D D D D D D D D D D
                const char big[] = E E E E E E E E E E E E E E E E;
                int main(int argc, char **argv) { return big[argc * 4096]; }
                """);

        assertThat(huge).isInstanceOf(ApiException.class).hasMessageContaining("grew past 1048576 bytes")
                .hasMessageContaining("max-output");
        compiler.destroy();
    }

    @Test
    void aCompilationThatNeverEndsIsKilledWithItsChildrenAtTheTimeLimit() throws Exception {
        Path pidFile = tmp.resolve("child.pid");
        Path hanging = tmp.resolve("hanging-wat2wasm");
        Files.writeString(hanging, "#!/bin/sh\nsleep 600 &\necho $! > " + pidFile + "\nwait\n");
        Files.setPosixFilePermissions(hanging, PosixFilePermissions.fromString("rwx------"));
        SourceCompiler compiler = new SourceCompiler(properties(Duration.ofSeconds(1), DataSize.ofMegabytes(1),
                hanging.toString()));

        long start = System.nanoTime();
        Throwable never = thrown(compiler, SourceLanguage.WAT, "(module)");
        long millis = (System.nanoTime() - start) / 1_000_000;

        assertThat(never).isInstanceOf(ApiException.class).hasMessageContaining("did not finish within 1 s");
        assertThat(millis).isLessThan(8_000);
        long child = Long.parseLong(Files.readString(pidFile).strip());
        assertThat(running(child)).as("the child is killed too").isFalse();
        compiler.destroy();
    }

    @Test
    void aCSourceCannotReadHostFilesThroughTheCompiler() {
        SourceCompiler compiler = new SourceCompiler(properties(Duration.ofSeconds(30), DataSize.ofMegabytes(1), "wat2wasm"));

        for (String source : new String[] {"#include \"/etc/passwd\"\n", "#define F </etc/passwd>\n#include F\n",
                "%:include \"/etc/hostname\"\n", "#inc\\\nlude \"/etc/hostname\"\n", "#include <../../etc/passwd.h>\n",
                "__asm__(\".incbin \\\"/etc/passwd\\\"\");\n", "#pragma clang system_header\n", "#include __FILE__\n",
                "#import <stdio.h>\n"}) {
            assertThatThrownBy(() -> compiler.compile(SourceLanguage.C, source)).as(source)
                    .isInstanceOf(ApiException.class).hasMessageStartingWith("source_code: ");
        }
        assertThat(compiler.compile(SourceLanguage.C, "// #include \"/etc/passwd\" in a comment is fine\n"
                + "const char *s = \"#include /etc/x // not a directive\";\nint main(void) { return 0; }\n").join())
                .isNotEmpty();
        compiler.destroy();
    }

    @Test
    void aSourceOverTheSizeLimitIsRefusedBeforeAnyProcessStarts() {
        SourceCompiler compiler = new SourceCompiler(properties(Duration.ofSeconds(30), DataSize.ofMegabytes(1), "/nonexistent"));

        assertThatThrownBy(() -> compiler.compile(SourceLanguage.WAT, ";;" + "x".repeat(600_000)))
                .isInstanceOf(ApiException.class).hasMessageContaining("max-source");
        assertThatThrownBy(() -> compiler.compile(SourceLanguage.WAT, "(module)"))
                .isInstanceOf(ApiException.class).hasMessageContaining("cannot compile wat")
                .hasMessageContaining("apt-get install wabt");
    }

    /** Alive and not a zombie (a killed orphan stays one where nothing reaps it, e.g. in a container). */
    private static boolean running(long pid) throws Exception {
        Path stat = Path.of("/proc", Long.toString(pid), "stat");
        for (int i = 0; i < 50 && Files.exists(stat); i++) {
            String text = Files.readString(stat);
            if (text.substring(text.lastIndexOf(')') + 2).startsWith("Z")) {
                return false;
            }
            Thread.sleep(100);
        }
        return Files.exists(stat);
    }

    private static Throwable thrown(SourceCompiler compiler, SourceLanguage language, String source) {
        try {
            compiler.compile(language, source).join();
        } catch (CompletionException e) {
            return e.getCause();
        } catch (RuntimeException e) {
            return e;
        }
        throw new AssertionError("compiled: " + source);
    }

    private static CompileProperties properties(Duration timeout, DataSize maxOutput, String wat2wasm) {
        return new CompileProperties(timeout, 1, 4, DataSize.ofKilobytes(512), maxOutput, DataSize.ofKilobytes(64),
                wat2wasm, "clang", "/usr");
    }
}
