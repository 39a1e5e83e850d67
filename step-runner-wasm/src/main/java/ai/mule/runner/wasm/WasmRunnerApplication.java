package ai.mule.runner.wasm;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * step-runner-wasm: consumes {@code mule.steps.wasm}, runs each step's WebAssembly module in Chicory under
 * limits, and publishes a result to {@code mule.steps.results}. Stateless; scale it by starting more
 * processes (they share the consumer group). No web server.
 */
@SpringBootApplication
public class WasmRunnerApplication {

    public static void main(String[] args) {
        SpringApplication.run(WasmRunnerApplication.class, args);
    }
}
