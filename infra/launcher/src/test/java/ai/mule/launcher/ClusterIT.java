package ai.mule.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.mule.localkafka.FreePorts;
import ai.mule.schemas.JobEvent;
import ai.mule.schemas.Topics;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;

/**
 * Mule on a real three-broker cluster (replication factor 3, min.insync.replicas 2), every service pointed at it
 * through the one Kafka configuration ({@code MULE_KAFKA_*}): jobs keep flowing while one broker is SIGKILLed and
 * started again, and every accepted job ends exactly once.
 */
class ClusterIT {

    private static final int JOBS = 150;
    /** How long broker 2 stays dead while jobs are submitted. */
    private static final Duration DOWN = Duration.ofSeconds(15);

    @Test
    void jobsKeepFlowingThroughABrokerCrashAndEachEndsExactlyOnce() throws Exception {
        Path repo = Path.of(System.getProperty("mule.repo", "../..")).toAbsolutePath().normalize();
        Path home = Files.createTempDirectory("mule-cluster");
        try (KafkaClusterProcesses cluster = new KafkaClusterProcesses(
                repo.resolve("infra/launcher/target/mule-launcher.jar"), home, 3)) {
            cluster.start();
            StackConfig config = new StackConfig(repo, home, FreePorts.next(), 0, 0, FreePorts.next(), 3);
            try (LocalStack stack = LocalStack.start(config, line -> System.out.println("cluster stack: " + line),
                    Map.of("MULE_KAFKA_BOOTSTRAP_SERVERS", cluster.bootstrapServers(),
                            "MULE_KAFKA_REPLICATION_FACTOR", "3", "MULE_KAFKA_MIN_INSYNC_REPLICAS", "2"))) {
                MuleClient client = new MuleClient(config.gatewayUrl());
                String workflowId = new ExampleWorkflows(client, repo)
                        .ensure("three", "greet, upper, reverse", List.of("greet", "upper", "reverse"));
                assertTopicsReplicated(cluster.bootstrapServers());

                List<String> jobs = new ArrayList<>();
                long killedAt = 0;
                long restartedAt = 0;
                for (int i = 0; i < JOBS; i++) {
                    jobs.add(client.submitJob(workflowId, "job " + i));
                    if (i == JOBS / 3) {
                        cluster.kill(2);
                        killedAt = System.nanoTime();
                    }
                    if (killedAt != 0 && restartedAt == 0 && System.nanoTime() - killedAt > DOWN.toNanos()) {
                        cluster.start(2);
                        restartedAt = System.nanoTime();
                    }
                    Thread.sleep(150);
                }
                assertThat(restartedAt).as("broker 2 was started again while jobs were submitted").isPositive();
                for (String jobId : jobs) {
                    JsonNode job = await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(200))
                            .until(() -> client.get("/api/v1/jobs/" + jobId).data(),
                                    j -> List.of("completed", "failed", "cancelled").contains(j.path("status").asText()));
                    assertThat(job.path("status").asText()).as(job.toString()).isEqualTo("completed");
                }
                Map<String, Integer> terminalEvents = terminalEventsPerJob(cluster.bootstrapServers(), jobs);
                assertThat(terminalEvents).hasSize(JOBS).allSatisfy((job, count) -> assertThat(count).isEqualTo(1));
                System.out.printf("cluster: %d jobs, broker 2 down for %.1f s while jobs were submitted, "
                        + "%d completed, each with exactly one terminal event%n", JOBS,
                        (restartedAt - killedAt) / 1e9, jobs.size());
            }
        }
    }

    private static void assertTopicsReplicated(String bootstrap) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            Map<String, TopicDescription> topics = admin.describeTopics(List.of(Topics.JOB_REQUESTS.name(),
                    Topics.STEP_RESULTS.name(), Topics.JOB_EVENTS.name())).allTopicNames().get(30, TimeUnit.SECONDS);
            topics.values().forEach(topic -> topic.partitions()
                    .forEach(p -> assertThat(p.replicas()).as(topic.name()).hasSize(3)));
        }
    }

    /** How many committed terminal events ({@code job_completed}, {@code job_failed}, {@code job_cancelled}) each job has. */
    private static Map<String, Integer> terminalEventsPerJob(String bootstrap, List<String> jobs) {
        Map<String, Integer> counts = new HashMap<>();
        Map<String, Object> props = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "cluster-it-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<String, JobEvent> consumer = new KafkaConsumer<>(props,
                Topics.JOB_EVENTS.keySerde().deserializer(), Topics.JOB_EVENTS.valueSerde().deserializer())) {
            consumer.subscribe(List.of(Topics.JOB_EVENTS.name()));
            long idleSince = System.nanoTime();
            while (System.nanoTime() - idleSince < Duration.ofSeconds(10).toNanos()) {
                var records = consumer.poll(Duration.ofMillis(500));
                if (!records.isEmpty()) {
                    idleSince = System.nanoTime();
                }
                for (ConsumerRecord<String, JobEvent> record : records) {
                    JobEvent event = record.value();
                    if (jobs.contains(record.key()) && (event instanceof JobEvent.JobCompleted
                            || event instanceof JobEvent.JobFailed || event instanceof JobEvent.JobCancelled)) {
                        counts.merge(record.key(), 1, Integer::sum);
                    }
                }
            }
        }
        return counts;
    }
}
