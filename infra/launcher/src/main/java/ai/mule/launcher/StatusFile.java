package ai.mule.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * {@code <home>/status.json}: the running {@code ./mule up}'s pid, gateway address and services, rewritten
 * (atomically) whenever a service starts or dies, so that {@code ./mule status} in another terminal can show them.
 */
final class StatusFile {

    static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    private final Path file;
    private final String gatewayUrl;

    StatusFile(Path home, String gatewayUrl) {
        this.file = home.resolve("status.json");
        this.gatewayUrl = gatewayUrl;
    }

    static Path in(Path home) {
        return home.resolve("status.json");
    }

    synchronized void write(List<ServiceProcess> services) {
        Contents contents = new Contents(ProcessHandle.current().pid(), gatewayUrl,
                services.stream().map(ServiceProcess::status).toList());
        try {
            Path next = file.resolveSibling("status.json.next");
            JSON.writerWithDefaultPrettyPrinter().writeValue(next.toFile(), contents);
            Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    void delete() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // a stale file is told apart by its launcher pid, which is then gone
        }
    }

    static JsonNode read(Path home) throws IOException {
        return JSON.readTree(in(home).toFile());
    }

    record Contents(long launcherPid, String gatewayUrl, List<ServiceStatus> services) {
    }
}
