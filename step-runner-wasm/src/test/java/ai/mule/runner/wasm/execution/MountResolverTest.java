package ai.mule.runner.wasm.execution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.mule.schemas.JsonSerde;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MountResolverTest {

    @TempDir
    Path root;

    @Test
    void mountsADirectoryUnderTheRootOnlyWhenTheConfigAsks() throws Exception {
        Files.createDirectories(root.resolve("reports/2026"));
        MountResolver resolver = new MountResolver(root);

        Mount mount = resolver.resolve(json("{\"mount\":{\"host\":\"reports/2026\",\"guest\":\"/data\"}}"));

        assertThat(mount.hostPath()).isEqualTo(root.resolve("reports/2026").toRealPath());
        assertThat(mount.guestPath()).isEqualTo("/data");
        assertThat(resolver.resolve(json("{\"greeting\":\"hi\"}"))).isNull();
    }

    @Test
    void refusesEscapesMissingDirectoriesAndRunnersWithoutARoot() throws Exception {
        Path outside = Files.createTempDirectory("outside");
        Files.createSymbolicLink(root.resolve("link"), outside);
        MountResolver resolver = new MountResolver(root);

        assertThatThrownBy(() -> resolver.resolve(json("{\"mount\":{\"host\":\"../..\",\"guest\":\"/data\"}}")))
                .hasMessageContaining("not a directory under the runner's mount root");
        assertThatThrownBy(() -> resolver.resolve(json("{\"mount\":{\"host\":\"link\",\"guest\":\"/data\"}}")))
                .hasMessageContaining("leads outside the runner's mount root");
        assertThatThrownBy(() -> resolver.resolve(json("{\"mount\":{\"host\":\"nope\",\"guest\":\"/data\"}}")))
                .hasMessageContaining("not a directory");
        assertThatThrownBy(() -> resolver.resolve(json("{\"mount\":{\"host\":\".\",\"guest\":\"data\"}}")))
                .hasMessageContaining("absolute path");
        assertThatThrownBy(() -> new MountResolver(null).resolve(json("{\"mount\":{\"host\":\".\",\"guest\":\"/d\"}}")))
                .hasMessageContaining("no mount root");
    }

    @Test
    void mountsAJobsWorkingDirectoryAtWorkUnderTheSameRules() throws Exception {
        Files.createDirectories(root.resolve("projects/site"));
        Path outside = Files.createTempDirectory("outside");
        Files.createSymbolicLink(root.resolve("escape"), outside);
        MountResolver resolver = new MountResolver(root);

        Mount mount = resolver.resolve(json("{}"), "projects/site");
        Mount own = resolver.resolve(json("{\"mount\":{\"host\":\"projects\",\"guest\":\"/data\"}}"), "projects/site");

        assertThat(mount.hostPath()).isEqualTo(root.resolve("projects/site").toRealPath());
        assertThat(mount.guestPath()).isEqualTo("/work");
        assertThat(own.guestPath()).as("a step's own mount wins").isEqualTo("/data");
        assertThat(resolver.resolve(json("{}"), "")).isNull();
        assertThatThrownBy(() -> resolver.resolve(json("{}"), "../.."))
                .hasMessageContaining("working_directory '../..' is not a directory under the runner's mount root");
        assertThatThrownBy(() -> resolver.resolve(json("{}"), "/etc"))
                .hasMessageContaining("working_directory '/etc'");
        assertThatThrownBy(() -> resolver.resolve(json("{}"), "escape"))
                .hasMessageContaining("leads outside the runner's mount root");
        assertThatThrownBy(() -> resolver.resolve(json("{}"), "a\0b")).hasMessageContaining("NUL");
        assertThatThrownBy(() -> new MountResolver(null).resolve(json("{}"), "projects"))
                .hasMessageContaining("no mount root");
    }

    private static JsonNode json(String text) throws Exception {
        return JsonSerde.mapper().readTree(text);
    }
}
