package ai.mule.launcher;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Loads example workflows through the gateway's API, the way a user would, unless they exist already.
 * Their modules are the ones in {@code infra/wasm-examples} (C sources and build.sh there).
 */
public final class ExampleWorkflows {

    private final MuleClient client;
    private final Path modules;

    public ExampleWorkflows(MuleClient client, Path repo) {
        this.client = client;
        this.modules = repo.resolve("infra/wasm-examples");
    }

    /** {@code hello}: greet then upper-case: {"prompt": "World"} gives "HELLO, WORLD!". */
    public String ensureHello() throws IOException {
        return ensure("hello", "Greets the prompt, then shouts it", List.of("greet", "upper"));
    }

    /** A workflow of these example modules, in this order; returns its id. */
    public String ensure(String name, String description, List<String> moduleNames) throws IOException {
        var existing = client.findIdByName("/api/v1/workflows", name);
        if (existing.isPresent()) {
            return existing.get();
        }
        ObjectNode workflow = MuleClient.object().put("name", name).put("description", description).put("is_async", false);
        String workflowId = MuleClient.expect(client.post("/api/v1/workflows", workflow), 201, "create workflow " + name)
                .data().path("id").asText();
        int order = 1;
        for (String module : moduleNames) {
            ObjectNode step = MuleClient.object().put("step_type", "wasm_module").put("wasm_module_id", ensureModule(module))
                    .put("step_order", order++);
            step.putObject("config");
            MuleClient.expect(client.post("/api/v1/workflows/" + workflowId + "/steps", step), 201,
                    "add step " + module + " to " + name);
        }
        return workflowId;
    }

    public String ensureModule(String name) throws IOException {
        var existing = client.findIdByName("/api/v1/wasm-modules", name);
        if (existing.isPresent()) {
            return existing.get();
        }
        byte[] wasm = Files.readAllBytes(modules.resolve(name + ".wasm"));
        return MuleClient.expect(client.uploadModule(name, "example module " + name, "{}", wasm), 201,
                "upload module " + name).data().path("id").asText();
    }
}
