package ai.mule.gateway.providers;

import ai.mule.gateway.web.ApiException;
import ai.mule.gateway.web.DataResponse;
import ai.mule.gateway.web.Ids;
import ai.mule.gateway.web.PageResponse;
import ai.mule.gateway.web.Paging;
import jakarta.validation.Valid;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/providers")
class ProviderController {

    private final ProviderRepository providers;

    ProviderController(ProviderRepository providers) {
        this.providers = providers;
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
        return DataResponse.of(providers.find(Ids.fromPath(id, "provider"))
                .orElseThrow(() -> ApiException.notFound("no provider with id '" + id + "'")));
    }
}
