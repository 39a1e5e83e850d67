package ai.mule.launcher;

import ai.mule.localkafka.FreePorts;
import ai.mule.localkafka.KafkaNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

/**
 * A three-node KRaft cluster on this machine, each node its own process ({@code mule-launcher.jar kafka-node}), so
 * that a test can SIGKILL one broker as a crash would and start it again on the same log directory.
 */
final class KafkaClusterProcesses implements AutoCloseable {

    private final Path launcherJar;
    private final List<KafkaNode> nodes = new ArrayList<>();
    private final Map<Integer, Process> processes = new LinkedHashMap<>();
    private final Path logs;

    KafkaClusterProcesses(Path launcherJar, Path home, int size) throws IOException {
        this.launcherJar = launcherJar;
        this.logs = Files.createDirectories(home.resolve("logs"));
        String clusterId = Uuid.randomUuid().toString();
        Map<Integer, Integer> voters = new LinkedHashMap<>();
        Map<Integer, Integer> kafkaPorts = new LinkedHashMap<>();
        for (int id = 1; id <= size; id++) {
            voters.put(id, FreePorts.next());
            kafkaPorts.put(id, FreePorts.next());
        }
        for (int id = 1; id <= size; id++) {
            nodes.add(new KafkaNode(id, kafkaPorts.get(id), home.resolve("kafka-" + id), clusterId, voters, 3));
        }
    }

    void start() throws Exception {
        for (KafkaNode node : nodes) {
            start(node.nodeId());
        }
        awaitBrokers(nodes.size(), Duration.ofSeconds(120));
    }

    void start(int nodeId) throws IOException {
        KafkaNode node = nodes.get(nodeId - 1);
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m", "-XX:+UseSerialGC", "-jar", launcherJar.toString(), "kafka-node"));
        command.addAll(List.of(node.arguments()));
        processes.put(nodeId, new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logs.resolve("kafka-" + nodeId + ".log").toFile()))
                .start());
    }

    /** SIGKILL, as a crash: no controlled shutdown, no leadership handed over. */
    void kill(int nodeId) throws InterruptedException {
        Process process = processes.remove(nodeId);
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    String bootstrapServers() {
        return nodes.stream().map(n -> "127.0.0.1:" + n.kafkaPort()).collect(Collectors.joining(","));
    }

    void awaitBrokers(int count, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000, AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000))) {
            while (true) {
                try {
                    if (admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).size() == count) {
                        return;
                    }
                } catch (Exception e) {
                    // not up yet
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(count + " brokers were not up after " + timeout + "; logs in " + logs);
                }
                Thread.sleep(250);
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        for (Process process : processes.values()) {
            process.destroy();
        }
        for (Process process : processes.values()) {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        processes.clear();
    }
}
