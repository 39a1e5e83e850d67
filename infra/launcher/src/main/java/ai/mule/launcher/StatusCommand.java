package ai.mule.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * {@code ./mule status}: each service of the running {@code ./mule up} with its pid, uptime, restart count and
 * whether its process is alive, then what the gateway's {@code /health} says of the whole (it answers 503 and names
 * what is missing when a service has not joined its consumer group or a background loop is down).
 */
final class StatusCommand {

    private StatusCommand() {
    }

    /** Prints the status; answers the exit code: 0 when running and healthy, 1 otherwise. */
    static int run(Path home, PrintStream out) throws IOException, InterruptedException {
        if (!Files.exists(StatusFile.in(home))) {
            out.println("mule is not running (no " + StatusFile.in(home) + ")");
            return 1;
        }
        JsonNode status = StatusFile.read(home);
        long launcherPid = status.path("launcher_pid").asLong();
        if (ProcessHandle.of(launcherPid).map(ProcessHandle::isAlive).orElse(false) == Boolean.FALSE) {
            out.println("mule is not running (" + StatusFile.in(home) + " is left from pid " + launcherPid + ")");
            return 1;
        }
        out.printf("%-18s %8s %10s %9s  %s%n", "service", "pid", "uptime", "restarts", "process");
        boolean allAlive = true;
        for (JsonNode service : status.path("services")) {
            long pid = service.path("pid").asLong();
            boolean alive = ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
            allAlive &= alive;
            String uptime = alive && service.hasNonNull("started_at")
                    ? human(Duration.between(Instant.parse(service.path("started_at").asText()), Instant.now()))
                    : "-";
            String state = alive ? "running"
                    : "down (last exit code " + service.path("last_exit_code").asText("?") + "; restarting)";
            out.printf("%-18s %8d %10s %9d  %s%n", service.path("name").asText(), pid, uptime,
                    service.path("restarts").asInt(), state);
        }
        String gateway = status.path("gateway_url").asText();
        int health = health(gateway, out);
        return allAlive && health == 200 ? 0 : 1;
    }

    private static int health(String gateway, PrintStream out) throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        try {
            HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(gateway + "/health"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            out.println("health (" + gateway + "/health): " + answer.statusCode() + " " + answer.body().strip());
            return answer.statusCode();
        } catch (IOException e) {
            out.println("health (" + gateway + "/health): no answer (" + e.getClass().getSimpleName() + ")");
            return 0;
        }
    }

    static String human(Duration duration) {
        long seconds = duration.toSeconds();
        if (seconds < 60) {
            return seconds + "s";
        }
        if (seconds < 3600) {
            return seconds / 60 + "m" + seconds % 60 + "s";
        }
        return seconds / 3600 + "h" + seconds % 3600 / 60 + "m";
    }
}
