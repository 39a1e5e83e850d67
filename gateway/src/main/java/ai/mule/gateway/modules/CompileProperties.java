package ai.mule.gateway.modules;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Compiling module sources on the server ({@code POST /api/v1/wasm-modules/compile}).
 *
 * @param timeout         how long one compilation may run before its process is killed; clang compiles the examples
 *                        in well under a second, so 20 s only cuts off what never ends
 * @param concurrency     compilations at once (each is a clang or wat2wasm process: one or two of the host's cores)
 * @param queue           compilations that may wait for one; more are answered 503 at once
 * @param maxSource       the largest source accepted (the JSON body limit applies first)
 * @param maxOutput       the largest module a compilation may write; it is killed when its output passes this
 * @param maxMessages     how much of the compiler's messages is kept and answered
 * @param wat2wasm        wabt's wat2wasm (Debian: wabt)
 * @param clang           clang with the wasm32 target (Debian: clang lld libclang-rt-14-dev-wasm32)
 * @param wasiSysroot     the sysroot that holds wasi-libc (Debian's wasi-libc: /usr, include/wasm32-wasi)
 */
@Validated
@ConfigurationProperties("mule.modules.compile")
record CompileProperties(@NotNull @DefaultValue("20s") Duration timeout,
                         @Positive @DefaultValue("1") int concurrency,
                         @Positive @DefaultValue("4") int queue,
                         @NotNull @DefaultValue("512KB") DataSize maxSource,
                         @NotNull @DefaultValue("16MB") DataSize maxOutput,
                         @NotNull @DefaultValue("64KB") DataSize maxMessages,
                         @NotBlank @DefaultValue("wat2wasm") String wat2wasm,
                         @NotBlank @DefaultValue("clang") String clang,
                         @NotBlank @DefaultValue("/usr") String wasiSysroot) {
}
