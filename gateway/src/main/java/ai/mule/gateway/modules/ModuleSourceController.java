package ai.mule.gateway.modules;

import ai.mule.gateway.web.ApiException;
import ai.mule.gateway.web.DataResponse;
import ai.mule.gateway.web.Ids;
import ai.mule.gateway.web.Json;
import ai.mule.gateway.web.RequestLimits;
import ai.mule.gateway.web.ResourceNames;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Module sources (Mule v2's compile, source and example endpoints). A source is compiled on the host's toolchain
 * ({@link SourceCompiler}), the module then goes through the same validation as an upload and is stored with its
 * source. Mule v2 compiled Go; Mule compiles WAT and C (see gateway/README.md).
 */
@RestController
@RequestMapping("/api/v1/wasm-modules")
class ModuleSourceController {

    private static final int MAX_DESCRIPTION = 10_000;

    private final SourceCompiler compiler;
    private final ModuleUploads uploads;
    private final WasmModuleRepository modules;
    private final RequestLimits limits;

    ModuleSourceController(SourceCompiler compiler, ModuleUploads uploads, WasmModuleRepository modules,
                           RequestLimits limits) {
        this.compiler = compiler;
        this.uploads = uploads;
        this.modules = modules;
        this.limits = limits;
    }

    /** Mule v2's request: {@code {name, description, language, source_code, config}} ({@code config} JSON text or object). */
    record CompileRequest(String name, String description, String language, String sourceCode, JsonNode config) {
    }

    /** What a compilation made: the stored module and its source's checksum. */
    record Compiled(UUID moduleId, String compilationStatus, Instant compiledAt, String sourceChecksum,
                    WasmModule module) {
    }

    @PostMapping("/compile")
    CompletableFuture<ResponseEntity<DataResponse<Compiled>>> compile(@RequestBody CompileRequest body) {
        String name = ResourceNames.require(body.name(), "name");
        String description = Objects.requireNonNullElse(body.description(), "");
        if (description.length() > MAX_DESCRIPTION) {
            throw ApiException.badRequest("description must be at most " + MAX_DESCRIPTION + " characters");
        }
        SourceLanguage language = language(body.language());
        String source = requireSource(body, language);
        ObjectNode config = config(body.config());
        limits.requireConfig("config", config);
        if (modules.idNamed(name).isPresent()) {
            throw ApiException.conflict("a WASM module named '" + name + "' already exists; choose another name");
        }
        return compiler.compile(language, source).thenApply(wasm -> {
            ByteArrayResource bytes = new ByteArrayResource(wasm);
            WasmBinaryValidator.Checked checked = uploads.check(bytes);
            WasmModule module = modules.insert(name, description, config, bytes, checked,
                    new ModuleSource(language.wire(), source));
            return ResponseEntity.status(HttpStatus.CREATED).body(DataResponse.of(new Compiled(module.id(), "success",
                    module.createdAt(), sha256(source), module)));
        });
    }

    /**
     * Mule v2's source update: compiles the new source and, if it compiles and validates, replaces the module's binary
     * and source (jobs already accepted keep the binary they were given); name, description and config when given.
     */
    @PutMapping("/{id}/source")
    CompletableFuture<DataResponse<Compiled>> updateSource(@PathVariable String id, @RequestBody CompileRequest body) {
        UUID moduleId = Ids.fromPath(id, "WASM module");
        if (!modules.exists(moduleId)) {
            throw ApiException.notFound("no WASM module with id '" + id + "'");
        }
        String name = body.name() == null ? null : ResourceNames.require(body.name(), "name");
        if (body.description() != null && body.description().length() > MAX_DESCRIPTION) {
            throw ApiException.badRequest("description must be at most " + MAX_DESCRIPTION + " characters");
        }
        SourceLanguage language = language(body.language());
        String source = requireSource(body, language);
        ObjectNode config = body.config() == null || body.config().isNull() ? null : config(body.config());
        if (config != null) {
            limits.requireConfig("config", config);
        }
        return compiler.compile(language, source).thenApply(wasm -> {
            ByteArrayResource bytes = new ByteArrayResource(wasm);
            WasmBinaryValidator.Checked checked = uploads.check(bytes);
            if (!modules.replaceCompiled(moduleId, name, body.description(), config, bytes, checked,
                    new ModuleSource(language.wire(), source))) {
                throw ApiException.notFound("no WASM module with id '" + id + "'");
            }
            WasmModule module = modules.find(moduleId, false).orElseThrow();
            return DataResponse.of(new Compiled(moduleId, "success", module.updatedAt(), sha256(source), module));
        });
    }

    @GetMapping("/{id}/source")
    DataResponse<ModuleSource> source(@PathVariable String id) {
        UUID moduleId = Ids.fromPath(id, "WASM module");
        return DataResponse.of(modules.source(moduleId).orElseThrow(() -> ApiException.notFound(modules.exists(moduleId)
                ? "WASM module '" + id + "' has no source: it was uploaded as a binary"
                : "no WASM module with id '" + id + "'")));
    }

    /** Mule v2's example source for a language: {@code {language, example_code}}. Without a language: WAT. */
    @GetMapping("/example")
    DataResponse<Example> example(@RequestParam(required = false) String language) {
        SourceLanguage chosen = language(language == null || language.isEmpty() ? SourceLanguage.WAT.wire() : language);
        try (InputStream in = getClass().getResourceAsStream("/module-examples/example." + chosen.wire())) {
            return DataResponse.of(new Example(chosen.wire(), new String(in.readAllBytes(), StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    record Example(String language, String exampleCode) {
    }

    /** 422 with the compiler's messages: {@code errors} ({@code line}, {@code column}, ...) and {@code compiler_output}. */
    @ExceptionHandler(CompileFailure.class)
    ResponseEntity<ProblemDetail> compileFailed(CompileFailure e, jakarta.servlet.http.HttpServletRequest request) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.UNPROCESSABLE_ENTITY, e.getMessage());
        problem.setInstance(URI.create(request.getRequestURI()));
        problem.setProperty("errors", e.diagnostics());
        problem.setProperty("compiler_output", e.output());
        return ResponseEntity.unprocessableEntity().body(problem);
    }

    /** Mule v2's default language is Go, which Mule does not compile: said so, with what it does compile. */
    private static SourceLanguage language(String value) {
        String wire = value == null || value.isEmpty() ? "go" : value.toLowerCase();
        return SourceLanguage.fromWire(wire).orElseThrow(() -> ApiException.unprocessable("language '" + wire
                + "' is not supported here" + (wire.equals("go") ? " (Mule v2 compiled Go; Mule does not)" : "")
                + ": Mule compiles " + SourceLanguage.supported() + "; send \"language\": \"wat\" or \"c\""));
    }

    private static String requireSource(CompileRequest body, SourceLanguage language) {
        if (body.sourceCode() == null || body.sourceCode().isBlank()) {
            throw ApiException.badRequest("source_code is required: the module's " + language.wire() + " source; "
                    + "GET /api/v1/wasm-modules/example?language=" + language.wire() + " has one to start from");
        }
        return body.sourceCode();
    }

    private static ObjectNode config(JsonNode config) {
        if (config == null || config.isNull()) {
            return Json.emptyObject();
        }
        return config.isTextual() ? Json.objectFromText(config.asText(), "config") : Json.objectOrEmpty(config, "config");
    }

    private static String sha256(String source) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(source.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
