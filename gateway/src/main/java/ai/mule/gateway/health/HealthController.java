package ai.mule.gateway.health;

import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** Mule v2's {@code GET /health}: {@code OK} when a job would run now, else 503 with what is not ready. */
@RestController
class HealthController {

    private final Readiness readiness;

    HealthController(Readiness readiness) {
        this.readiness = readiness;
    }

    @GetMapping("/health")
    ResponseEntity<?> health() {
        Readiness.Result result = readiness.check();
        if (result.ready()) {
            return ResponseEntity.ok().contentType(MediaType.TEXT_PLAIN).body("OK");
        }
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).contentType(MediaType.APPLICATION_JSON)
                .body(new NotReady("not_ready", List.copyOf(result.problems())));
    }

    record NotReady(String status, List<String> problems) {
    }
}
