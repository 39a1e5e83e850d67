package ai.mule.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import ai.mule.schemas.Limits;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarInputStream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * Keeps the deployment files ({@code infra/deploy}) true to the services: every environment variable they set is
 * one that the service it is set for reads, and every jar they run is one the build makes. What a service reads is
 * taken from its built jar: the {@code ${MULE_...}} placeholders of its {@code application.yml}, the settings its
 * {@code @ConfigurationProperties} declare (Spring Boot's configuration metadata, its own and its libraries'), and
 * the pipeline limits every service reads ({@code mule.limits.*}).
 */
class DeploymentFilesIT {

    private static final Path REPO = Path.of(System.getProperty("mule.repo", "../..")).toAbsolutePath().normalize();
    private static final Path DEPLOY = REPO.resolve("infra/deploy");
    private static final List<String> SERVICES = List.of("gateway", "orchestrator", "step-runner-wasm", "step-runner-agent");
    /** Read by the image's entrypoint (the Dockerfile), not by a service. */
    private static final Set<String> ENTRYPOINT = Set.of("MULE_SERVICE", "JAVA_OPTS");
    /**
     * The OpenTelemetry SDK's own variables (its autoconfigure reads them from the environment, not through Spring), read
     * by a service whose jar carries Mule's tracing library with the SDK's autoconfigure.
     */
    private static final List<String> OTEL_SDK = List.of("OTEL_SDK_DISABLED", "OTEL_SERVICE_NAME",
            "OTEL_RESOURCE_ATTRIBUTES", "OTEL_PROPAGATORS", "OTEL_TRACES_", "OTEL_METRICS_EXPORTER", "OTEL_LOGS_EXPORTER",
            "OTEL_EXPORTER_OTLP_", "OTEL_BSP_", "OTEL_SPAN_", "OTEL_ATTRIBUTE_");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{(MULE_[A-Z0-9_]+)");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void everyVariableTheKubernetesManifestsSetIsReadByItsService() throws IOException {
        Map<String, List<String>> set = new LinkedHashMap<>();
        try (Stream<Path> files = Files.list(DEPLOY.resolve("kubernetes"))) {
            for (Path file : files.sorted().toList()) {
                for (Object document : new Yaml().loadAll(Files.readString(file))) {
                    Map<?, ?> resource = (Map<?, ?>) document;
                    if (List.of("Deployment", "StatefulSet").contains(resource.get("kind"))) {
                        for (Object container : list(path(resource, "spec", "template", "spec", "containers"))) {
                            List<String> names = new ArrayList<>();
                            for (Object env : list(((Map<?, ?>) container).get("env"))) {
                                names.add((String) ((Map<?, ?>) env).get("name"));
                            }
                            set.put(service(names, (List<?>) ((Map<?, ?>) container).get("env")), names);
                        }
                    }
                }
            }
        }

        assertThat(set.keySet()).containsExactlyInAnyOrderElementsOf(SERVICES);
        set.forEach((service, names) -> assertThat(unread(service, names)).as("set for %s but never read by it", service)
                .isEmpty());
    }

    @Test
    void everyVariableTheComposeFileSetsIsReadByItsService() throws IOException {
        Map<?, ?> compose = new Yaml().load(Files.readString(DEPLOY.resolve("compose.yaml")));
        Map<String, List<String>> set = new LinkedHashMap<>();
        for (Map.Entry<?, ?> entry : ((Map<?, ?>) compose.get("services")).entrySet()) {
            Map<?, ?> environment = (Map<?, ?>) ((Map<?, ?>) entry.getValue()).get("environment");
            if (environment != null && environment.containsKey("MULE_SERVICE")) {
                set.put((String) environment.get("MULE_SERVICE"), environment.keySet().stream().map(String.class::cast).toList());
            }
        }

        assertThat(set.keySet()).containsExactlyInAnyOrderElementsOf(SERVICES);
        set.forEach((service, names) -> assertThat(unread(service, names)).as("set for %s but never read by it", service)
                .isEmpty());
    }

    @Test
    void theImageCarriesEveryServiceJarTheBuildMakesAndRunsTheOneNamed() throws IOException {
        String dockerfile = Files.readString(DEPLOY.resolve("Dockerfile"));

        for (String service : SERVICES) {
            String jar = service + "/target/mule-" + service + ".jar";
            assertThat(dockerfile).contains(jar);
            assertThat(REPO.resolve(jar)).isRegularFile();
        }
        assertThat(dockerfile).contains("/opt/mule/mule-$MULE_SERVICE.jar").contains("$JAVA_OPTS");
    }

    /** The names in {@code names} that {@code service} does not read. */
    private static Set<String> unread(String service, List<String> names) {
        Readable readable = Readable.of(REPO.resolve(service + "/target/mule-" + service + ".jar"));
        Set<String> unread = new TreeSet<>();
        for (String name : names) {
            if (!ENTRYPOINT.contains(name) && !readable.reads(name)) {
                unread.add(name);
            }
        }
        return unread;
    }

    /** What one service jar reads from its environment. */
    private record Readable(Set<String> placeholders, Set<String> properties, Set<String> mapProperties,
                            boolean openTelemetry) {

        static Readable of(Path jar) {
            Set<String> placeholders = new TreeSet<>();
            Set<String> properties = new TreeSet<>();
            Set<String> maps = new TreeSet<>();
            boolean openTelemetry;
            for (var component : Limits.class.getRecordComponents()) {
                properties.add(Limits.PREFIX + component.getName().replaceAll("([A-Z])", "-$1").toLowerCase());
            }
            try (JarFile file = new JarFile(jar.toFile())) {
                Matcher placeholder = PLACEHOLDER.matcher(text(file, "BOOT-INF/classes/application.yml"));
                while (placeholder.find()) {
                    placeholders.add(placeholder.group(1));
                }
                metadata(file.getInputStream(file.getJarEntry("META-INF/spring-configuration-metadata.json")),
                        properties, maps);
                openTelemetry = file.stream().anyMatch(e -> e.getName().matches("BOOT-INF/lib/mule-tracing-.*\\.jar"))
                        && file.stream().anyMatch(e -> e.getName().matches(
                        "BOOT-INF/lib/opentelemetry-sdk-extension-autoconfigure-[0-9].*\\.jar"));
                for (JarEntry entry : file.stream().filter(e -> e.getName().matches("BOOT-INF/lib/mule-.*\\.jar")).toList()) {
                    try (JarInputStream library = new JarInputStream(file.getInputStream(entry))) {
                        for (JarEntry inner = library.getNextJarEntry(); inner != null; inner = library.getNextJarEntry()) {
                            if (inner.getName().equals("META-INF/spring-configuration-metadata.json")) {
                                metadata(library, properties, maps);
                            }
                        }
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + jar + " (build it first)", e);
            }
            return new Readable(placeholders, properties, maps, openTelemetry);
        }

        /** Spring Boot's relaxed binding: {@code mule.kafka.min-insync-replicas} from {@code MULE_KAFKA_MIN_INSYNC_REPLICAS}. */
        boolean reads(String variable) {
            if (placeholders.contains(variable)) {
                return true;
            }
            if (openTelemetry && OTEL_SDK.stream().anyMatch(variable::startsWith)) {
                return true;
            }
            for (String property : properties) {
                if (variable.equals(env(property)) || variable.equals(property.toUpperCase().replace(".", "_").replace("-", ""))) {
                    return true;
                }
            }
            return mapProperties.stream().anyMatch(map -> variable.startsWith(env(map) + "_"));
        }

        private static String env(String property) {
            return property.toUpperCase().replace('.', '_').replace('-', '_');
        }

        private static void metadata(InputStream in, Set<String> properties, Set<String> maps) throws IOException {
            JsonNode metadata = JSON.readTree(in.readAllBytes());
            for (JsonNode property : metadata.path("properties")) {
                String name = property.path("name").asText();
                properties.add(name);
                if (property.path("type").asText().startsWith("java.util.Map")) {
                    maps.add(name);
                }
            }
        }

        private static String text(JarFile file, String name) throws IOException {
            JarEntry entry = file.getJarEntry(name);
            return entry == null ? "" : new String(file.getInputStream(entry).readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static String service(List<String> names, List<?> env) {
        for (Object variable : env) {
            if ("MULE_SERVICE".equals(((Map<?, ?>) variable).get("name"))) {
                return (String) ((Map<?, ?>) variable).get("value");
            }
        }
        throw new AssertionError("a container without MULE_SERVICE: " + names);
    }

    private static Object path(Map<?, ?> map, String... keys) {
        Object current = map;
        for (String key : keys) {
            current = ((Map<?, ?>) current).get(key);
        }
        return current;
    }

    private static List<?> list(Object value) {
        return value == null ? List.of() : (List<?>) value;
    }
}
