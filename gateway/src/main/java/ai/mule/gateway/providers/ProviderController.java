package ai.mule.gateway.providers;

import ai.mule.gateway.web.ApiException;
import ai.mule.gateway.web.DataResponse;
import ai.mule.gateway.web.Ids;
import ai.mule.gateway.web.PageResponse;
import ai.mule.gateway.web.Paging;
import jakarta.validation.Valid;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/providers")
class ProviderController {

    private final ProviderRepository providers;
    private final ProviderModels models;

    ProviderController(ProviderRepository providers, ProviderModels models) {
        this.providers = providers;
        this.models = models;
    }

    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    DataResponse<Provider> create(@Valid @RequestBody NewProvider body) {
        return DataResponse.of(providers.insert(body));
    }

    @GetMapping
    PageResponse<Provider> list(@RequestParam(required = false) Integer page,
                                @RequestParam(name = "page_size", required = false) Integer pageSize) {
        Paging paging = Paging.of(page, pageSize);
        return PageResponse.of(providers.list(paging), paging, providers.count());
    }

    @GetMapping("/{id}")
    DataResponse<Provider> get(@PathVariable String id) {
        return DataResponse.of(providers.find(id(id)).orElseThrow(() -> notFound(id)));
    }

    @PutMapping("/{id}")
    DataResponse<Provider> update(@PathVariable String id, @Valid @RequestBody NewProvider body) {
        return DataResponse.of(providers.update(id(id), body).orElseThrow(() -> notFound(id)));
    }

    @DeleteMapping("/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void delete(@PathVariable String id) {
        if (!providers.delete(id(id))) {
            throw notFound(id);
        }
    }

    /** The models the provider itself lists ({@code GET <api_base_url>/models}), asked now. */
    @GetMapping("/{id}/models")
    PageResponse<ProviderModels.ProviderModel> models(@PathVariable String id) {
        return PageResponse.all(models.list(providers.endpoint(id(id)).orElseThrow(() -> notFound(id))));
    }

    private static UUID id(String id) {
        return Ids.fromPath(id, "provider");
    }

    private static ApiException notFound(String id) {
        return ApiException.notFound("no provider with id '" + id + "'");
    }
}
