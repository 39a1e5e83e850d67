package ai.mule.gateway.modules;

import ai.mule.gateway.web.ApiException;
import ai.mule.gateway.web.DataResponse;
import ai.mule.gateway.web.Ids;
import ai.mule.gateway.web.Json;
import ai.mule.gateway.web.RequestLimits;
import ai.mule.gateway.web.ResourceNames;
import ai.mule.gateway.web.Timestamps;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.UUID;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RequestPart;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;

/**
 * Updating and deleting WASM modules (Mule v2's multipart update). A job already accepted keeps the binary it was
 * planned with: runners fetch modules by sha256, and a replaced binary gets a new one.
 */
@RestController
@RequestMapping("/api/v1/wasm-modules")
class WasmModuleEditController {

    private static final int MAX_DESCRIPTION = 10_000;

    private final JdbcClient jdbc;
    private final WasmModuleRepository modules;
    private final ModuleUploads uploads;
    private final RequestLimits limits;

    WasmModuleEditController(JdbcClient jdbc, WasmModuleRepository modules, ModuleUploads uploads,
                             RequestLimits limits) {
        this.jdbc = jdbc;
        this.modules = modules;
        this.uploads = uploads;
        this.limits = limits;
    }

    /** Multipart like the upload; every part is optional and a part left out keeps its stored value. */
    @PutMapping(path = "/{id}", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
    @Transactional
    public DataResponse<WasmModule> update(@PathVariable String id,
                                           @RequestParam(required = false) String name,
                                           @RequestParam(required = false) String description,
                                           @RequestParam(required = false) String config,
                                           @RequestPart(name = "module_data", required = false) MultipartFile moduleData) {
        UUID moduleId = Ids.fromPath(id, "WASM module");
        if (name != null) {
            ResourceNames.require(name, "name");
        }
        if (description != null && description.length() > MAX_DESCRIPTION) {
            throw ApiException.badRequest("description must be at most " + MAX_DESCRIPTION + " characters");
        }
        ObjectNode parsedConfig = config == null ? null : Json.objectFromText(config, "config");
        if (parsedConfig != null) {
            limits.requireConfig("config", parsedConfig);
        }
        WasmBinaryValidator.Checked checked = moduleData == null || moduleData.isEmpty() ? null
                : uploads.check(moduleData);
        int updated;
        try {
            updated = jdbc.sql("""
                            UPDATE wasm_modules SET name = COALESCE(?, name), description = COALESCE(?, description),
                                   config = COALESCE(CAST(? AS JSONB), config), module_data = COALESCE(?, module_data),
                                   sha256 = COALESCE(?, sha256), updated_at = ?,
                                   -- a new binary is no longer what the stored source compiles to
                                   source_code = CASE WHEN ? THEN NULL ELSE source_code END,
                                   source_language = CASE WHEN ? THEN NULL ELSE source_language END
                            WHERE id = ?""")
                    .params(name, description, parsedConfig == null ? null : Json.write(parsedConfig),
                            checked == null ? null : WasmModuleRepository.binary(moduleData, checked),
                            checked == null ? null : checked.sha256(), Timestamps.param(Timestamps.now()), checked != null,
                            checked != null, moduleId)
                    .update();
        } catch (DuplicateKeyException e) {
            throw ApiException.conflict("a WASM module named '" + name + "' already exists; choose another name");
        }
        if (updated == 0) {
            throw notFound(id);
        }
        return DataResponse.of(modules.find(moduleId, false).orElseThrow(() -> notFound(id)));
    }

    /** Deletes a module no workflow step uses (jobs that ran it stay readable). */
    @DeleteMapping("/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    public void delete(@PathVariable String id) {
        UUID moduleId = Ids.fromPath(id, "WASM module");
        List<String> users = jdbc.sql("SELECT DISTINCT w.name FROM workflow_steps s JOIN workflows w ON w.id = s.workflow_id "
                        + "WHERE s.wasm_module_id = ? ORDER BY w.name LIMIT 5")
                .param(moduleId).query(String.class).list();
        if (!users.isEmpty()) {
            throw ApiException.conflict("the module is a step of workflows " + String.join(", ", users)
                    + "; remove those steps first");
        }
        if (jdbc.sql("DELETE FROM wasm_modules WHERE id = ?").param(moduleId).update() == 0) {
            throw notFound(id);
        }
    }

    private static ApiException notFound(String id) {
        return ApiException.notFound("no WASM module with id '" + id + "'");
    }
}
