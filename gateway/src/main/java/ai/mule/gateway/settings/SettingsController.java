package ai.mule.gateway.settings;

import ai.mule.gateway.web.DataResponse;
import ai.mule.gateway.web.PageResponse;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/settings")
class SettingsController {

    private final Settings settings;

    SettingsController(Settings settings) {
        this.settings = settings;
    }

    @GetMapping
    PageResponse<Setting> list() {
        return PageResponse.all(settings.all());
    }

    @GetMapping("/{key}")
    DataResponse<Setting> get(@PathVariable String key) {
        return DataResponse.of(settings.get(key));
    }

    @PutMapping("/{key}")
    DataResponse<Setting> update(@PathVariable String key, @RequestBody SettingUpdate body) {
        return DataResponse.of(settings.update(key, body.value()));
    }

    /**
     * The value as text, as Mule v2 stores it; numbers are accepted and kept as their text. Mule v2's UI sends the
     * whole setting back ({key, value, description, category}): only value is changed.
     */
    @com.fasterxml.jackson.annotation.JsonIgnoreProperties({"key", "description", "category", "updated_at"})
    record SettingUpdate(String value) {
    }
}
