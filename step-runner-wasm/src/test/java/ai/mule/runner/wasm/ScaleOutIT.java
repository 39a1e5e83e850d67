package ai.mule.runner.wasm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.mule.runner.wasm.modules.CompiledModuleCache;
import ai.mule.schemas.FailureKind;
import ai.mule.schemas.JsonSerde;
import ai.mule.schemas.StepCommand;
import ai.mule.schemas.StepPolicy;
import ai.mule.schemas.StepResult;
import ai.mule.schemas.Topics;
import ai.mule.schemas.WasmStep;
import ai.mule.testkit.TestKafka;
import ai.mule.testkit.TestPostgres;
import ai.mule.testkit.WasmFixtures;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Two runners in one consumer group: the packaged runner jar as a separate process, and one in this JVM.
 * They share the partitions and the load; when the process is killed (SIGKILL, no goodbye), its partitions
 * move to the survivor and the commands it had taken but not answered are delivered again and run there.
 */
class ScaleOutIT {

    private static final byte[] GREET = WasmFixtures.wasm("greet.wasm");
    private static final byte[] LOOP = WasmFixtures.wasm("loop.wasm");
    private static final Duration SESSION_TIMEOUT = Duration.ofSeconds(6);

    @Test
    void twoRunnersShareTheLoadAndASurvivorRerunsTheStepsOfOneThatDied() throws Exception {
        TestPostgres.Database db = TestPostgres.newDatabase();
        JdbcTemplate jdbc = new JdbcTemplate(db.dataSource());
        for (byte[] module : List.of(GREET, LOOP)) {
            jdbc.update("INSERT INTO wasm_modules (id, name, module_data, sha256) VALUES (?, ?, ?, ?)",
                    UUID.randomUUID(), UUID.randomUUID().toString(), module, WasmFixtures.sha256(module));
        }
        Process doomed = startProcess(db);
        ConfigurableApplicationContext survivor = null;
        try {
            awaitMembers(1);
            survivor = new SpringApplicationBuilder(WasmRunnerApplication.class).properties(
                    "MULE_DB_URL=" + db.jdbcUrl(), "MULE_DB_USER=" + db.username(), "MULE_DB_PASSWORD=" + db.password(),
                    "mule.kafka.bootstrap-servers=" + TestKafka.bootstrapServers(),
                    "mule.runner.wasm.concurrency=2",
                    "mule.kafka.consumer[session.timeout.ms]=" + SESSION_TIMEOUT.toMillis()).run();
            Map<String, Set<Integer>> owners = awaitMembers(2);
            Set<Integer> doomedPartitions = owners.get("doomed-runner");
            assertThat(doomedPartitions).isNotEmpty();
            assertThat(owners.get("in-jvm")).isNotEmpty();

            // load shared: quick steps on every partition, so both runners answer some
            List<String> quick = new ArrayList<>();
            for (int i = 0; i < 2 * TestKafka.PARTITIONS; i++) {
                quick.add(send(GREET, Duration.ofSeconds(5), jobOnPartitions(Set.of(i % TestKafka.PARTITIONS))));
            }
            for (String jobId : quick) {
                assertThat(result(jobId).success()).isTrue();
            }
            assertThat(survivor.getBean(CompiledModuleCache.class).size()).as("the in-JVM runner ran steps").isPositive();

            // a slow step on a partition of the process, which dies while running it
            String slowJob = jobOnPartitions(doomedPartitions);
            send(LOOP, Duration.ofSeconds(4), slowJob);
            assertThat(TestKafka.read(Topics.STEP_RESULTS, slowJob, 1, Duration.ofMillis(1500))).isEmpty();
            Instant killedAt = Instant.now();
            doomed.destroyForcibly().waitFor();

            // after the session timeout the survivor owns every partition and runs the step again
            StepResult rerun = TestKafka.read(Topics.STEP_RESULTS, slowJob, 1, Duration.ofSeconds(40)).get(0);
            assertThat(rerun.failureKind()).isEqualTo(FailureKind.TIMEOUT);
            assertThat(rerun.finishedAt()).isAfter(killedAt.plus(SESSION_TIMEOUT).minusSeconds(1));
            assertThat(awaitMembers(1).values().iterator().next()).hasSize(TestKafka.PARTITIONS);
            String after = send(GREET, Duration.ofSeconds(5), jobOnPartitions(doomedPartitions));
            assertThat(result(after).success()).isTrue();
        } finally {
            doomed.destroyForcibly();
            if (survivor != null) {
                survivor.close();
            }
        }
    }

    private static Process startProcess(TestPostgres.Database db) throws Exception {
        Path jar = Path.of("target", "mule-step-runner-wasm.jar");
        assertThat(jar).as("the packaged runner (failsafe runs after package)").exists();
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder builder = new ProcessBuilder(java, "-Xmx256m", "-jar", jar.toString(),
                "--mule.kafka.consumer[session.timeout.ms]=" + SESSION_TIMEOUT.toMillis(),
                "--mule.kafka.consumer[client.id]=doomed-runner",
                "--mule.runner.wasm.concurrency=2");
        builder.environment().put("MULE_DB_URL", db.jdbcUrl());
        builder.environment().put("MULE_DB_USER", db.username());
        builder.environment().put("MULE_DB_PASSWORD", db.password());
        builder.environment().put("MULE_KAFKA_BOOTSTRAP_SERVERS", TestKafka.bootstrapServers());
        builder.environment().put("MULE_MANAGEMENT_PORT", "0");
        builder.redirectErrorStream(true).redirectOutput(new File("target/scale-out-runner.log"));
        return builder.start();
    }

    /** Waits for the group to have this many members with partitions; answers partitions by member ("in-jvm" or client id). */
    private static Map<String, Set<Integer>> awaitMembers(int count) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers()))) {
            return await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
                ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(RunnerConfiguration.GROUP_ID))
                        .describedGroups().get(RunnerConfiguration.GROUP_ID).get();
                Map<String, Set<Integer>> owners = new HashMap<>();
                int assigned = 0;
                for (MemberDescription member : group.members()) {
                    Set<Integer> partitions = new HashSet<>();
                    for (TopicPartition p : member.assignment().topicPartitions()) {
                        partitions.add(p.partition());
                    }
                    assigned += partitions.size();
                    owners.put(member.clientId().startsWith("doomed") ? member.clientId() : "in-jvm", partitions);
                }
                boolean settled = group.members().size() == count && assigned == TestKafka.PARTITIONS
                        && owners.values().stream().noneMatch(Set::isEmpty);
                return settled ? owners : null;
            }, owners -> owners != null);
        }
    }

    /** A job id whose commands land on one of these partitions (Kafka's default partitioner: murmur2 of the key). */
    private static String jobOnPartitions(Set<Integer> partitions) {
        while (true) {
            String jobId = UUID.randomUUID().toString();
            int partition = Utils.toPositive(Utils.murmur2(jobId.getBytes(StandardCharsets.UTF_8))) % TestKafka.PARTITIONS;
            if (partitions.contains(partition)) {
                return jobId;
            }
        }
    }

    private static String send(byte[] module, Duration timeout, String jobId) {
        WasmStep step = new WasmStep(1, null, UUID.randomUUID().toString(), "m", WasmFixtures.sha256(module), null,
                new StepPolicy(1, 0, 1.0, 0, timeout.toMillis(), false));
        TestKafka.send(Topics.STEPS_WASM, jobId, StepCommand.of(jobId, 0, 1, step,
                JsonSerde.mapper().createObjectNode().put("prompt", "x"), Instant.now(), null));
        return jobId;
    }

    private static StepResult result(String jobId) {
        List<StepResult> results = TestKafka.read(Topics.STEP_RESULTS, jobId, 1, Duration.ofSeconds(30));
        assertThat(results).hasSize(1);
        return results.get(0);
    }
}
