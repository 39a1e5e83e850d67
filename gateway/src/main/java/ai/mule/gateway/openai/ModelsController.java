package ai.mule.gateway.openai;

import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** OpenAI's {@code GET /v1/models}: every agent and workflow as a model id a chat client can pick. */
@RestController
class ModelsController {

    private final ModelCatalog catalog;

    ModelsController(ModelCatalog catalog) {
        this.catalog = catalog;
    }

    @GetMapping("/v1/models")
    ModelList list() {
        return new ModelList("list", catalog.models());
    }

    record ModelList(String object, List<ModelCatalog.Model> data) {
    }
}
