package ai.mule.runner.wasm.modules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.mule.runner.wasm.execution.StepFailure.Reason;
import ai.mule.testkit.TestPostgres;
import ai.mule.testkit.WasmFixtures;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

class ModuleStoreIT {

    private static final byte[] GREET = WasmFixtures.wasm("greet.wasm");
    private static final byte[] UPPER = WasmFixtures.wasm("upper.wasm");
    private static JdbcTemplate jdbc;

    @BeforeAll
    static void database() {
        jdbc = new JdbcTemplate(TestPostgres.newDatabase().dataSource());
        insert(jdbc, "greet", GREET, WasmFixtures.sha256(GREET));
    }

    static void insert(JdbcTemplate jdbc, String name, byte[] bytes, String sha256) {
        jdbc.update("INSERT INTO wasm_modules (id, name, module_data, sha256) VALUES (?, ?, ?, ?)",
                UUID.randomUUID(), name, bytes, sha256);
    }

    @Test
    void readsTheModuleStoredUnderItsSha256() {
        assertThat(new ModuleStore(jdbc).fetch(WasmFixtures.sha256(GREET))).isEqualTo(GREET);
    }

    @Test
    void reportsAModuleThatIsNotStored() {
        String missing = "f".repeat(64);

        assertThatThrownBy(() -> new ModuleStore(jdbc).fetch(missing))
                .isInstanceOfSatisfying(ModuleUnavailableException.class, e -> {
                    assertThat(e.failure().reason()).isEqualTo(Reason.MODULE_NOT_FOUND);
                    assertThat(e.getMessage()).isEqualTo("no module with sha256 " + missing + " is stored");
                });
    }

    @Test
    void refusesBytesThatDoNotMatchTheirSha256() {
        String claimed = WasmFixtures.sha256(UPPER);
        insert(jdbc, "tampered", GREET, claimed);

        assertThatThrownBy(() -> new ModuleStore(jdbc).fetch(claimed))
                .isInstanceOfSatisfying(ModuleUnavailableException.class, e -> {
                    assertThat(e.failure().reason()).isEqualTo(Reason.MODULE_CORRUPT);
                    assertThat(e.getMessage()).contains("has different content").contains(WasmFixtures.sha256(GREET));
                });
    }

    @Test
    void reportsAStoreThatCannotBeReached() {
        DriverManagerDataSource nowhere = new DriverManagerDataSource("jdbc:postgresql://127.0.0.1:1/mule", "mule", "mule");

        assertThatThrownBy(() -> new ModuleStore(new JdbcTemplate(nowhere)).fetch(WasmFixtures.sha256(GREET)))
                .isInstanceOfSatisfying(ModuleUnavailableException.class,
                        e -> assertThat(e.failure().reason()).isEqualTo(Reason.STORE_UNAVAILABLE));
    }
}
