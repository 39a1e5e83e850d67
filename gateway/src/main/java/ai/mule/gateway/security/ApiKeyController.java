package ai.mule.gateway.security;

import ai.mule.gateway.web.ApiException;
import ai.mule.gateway.web.DataResponse;
import ai.mule.gateway.web.Ids;
import ai.mule.gateway.web.PageResponse;
import ai.mule.gateway.web.Paging;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** API key management; {@link ApiKeyFilter} lets only the admin key ({@code MULE_ADMIN_KEY}) in here. */
@RestController
@RequestMapping(ApiKeyFilter.ADMIN_PATH)
class ApiKeyController {

    private final ApiKeys keys;
    private final ApiKeyRepository repository;

    ApiKeyController(ApiKeys keys, ApiKeyRepository repository) {
        this.keys = keys;
        this.repository = repository;
    }

    /** Creates a key; {@code key} in the answer is shown this once and cannot be read again. */
    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    DataResponse<ApiKey> create(@Valid @RequestBody NewApiKey body) {
        return DataResponse.of(keys.create(body.name()));
    }

    @GetMapping
    PageResponse<ApiKey> list(@RequestParam(required = false) Integer page,
                              @RequestParam(name = "page_size", required = false) Integer pageSize) {
        Paging paging = Paging.of(page, pageSize);
        return PageResponse.of(repository.list(paging), paging, repository.count());
    }

    @DeleteMapping("/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void revoke(@PathVariable String id) {
        if (!keys.revoke(Ids.fromPath(id, "API key"))) {
            throw ApiException.notFound("no active API key with id '" + id + "'");
        }
    }

    record NewApiKey(@NotBlank(message = "is required: a label saying who or what uses the key, e.g. ci-pipeline")
                     @Size(max = 100, message = "must be at most 100 characters") String name) {
    }
}
