package ai.mule.launcher;

import ai.mule.localkafka.KafkaNode;
import ai.mule.localkafka.LocalKafka;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;

/**
 * {@code ./mule up}, {@code ./mule status} and {@code ./mule bench}. Run from the repository root (the {@code mule} script
 * passes it as {@code mule.repo}).
 */
public final class Launcher {

    private Launcher() {
    }

    public static void main(String[] args) throws Exception {
        Path repo = Path.of(System.getProperty("mule.repo", ".")).toAbsolutePath().normalize();
        String command = args.length == 0 ? "up" : args[0];
        switch (command) {
            case "up" -> orExplain(() -> up(repo));
            case "bench" -> orExplain(() -> bench(repo));
            case "status" -> System.exit(StatusCommand.run(home(repo), System.out));
            case "kafka-node" -> kafkaNode(java.util.Arrays.copyOfRange(args, 1, args.length));
            default -> {
                System.err.println("usage: mule up | mule status | mule bench");
                System.exit(2);
            }
        }
    }

    /**
     * Runs {@code command}; a stack that could not start is told in its message alone, and the JVM exits 1. What fails
     * while the stack's shutdown hook stops it (Ctrl-C during a bench: its calls meet services that have stopped) is
     * not reported: the hook says what happens, and ends the JVM.
     */
    private static void orExplain(Command command) throws Exception {
        try {
            command.run();
        } catch (StackStartFailed e) {
            System.err.println("mule: " + e.getMessage());
            System.exit(1);
        } catch (Exception e) {
            if (!LocalStack.stoppingOnShutdown()) {
                throw e;
            }
        }
    }

    @FunctionalInterface
    private interface Command {
        void run() throws Exception;
    }

    private static void up(Path repo) throws Exception {
        StackConfig config = StackConfig.fromEnvironment(repo, home(repo));
        System.setProperty("mule.logs", config.logs().toString());
        // the stack stops itself when the JVM is asked to (LocalStack's shutdown hook), and says so
        LocalStack.start(config, line -> System.out.println("mule: " + line));
        new ExampleWorkflows(new MuleClient(config.gatewayUrl()), repo).ensureHello();
        System.out.println("""
                mule: example workflow 'hello' is loaded. Try:
                  curl -s %1$s/v1/chat/completions -H 'Content-Type: application/json' \\
                    -d '{"model":"workflow/hello","messages":[{"role":"user","content":"World"}]}'
                mule: Ctrl-C stops everything.""".formatted(config.gatewayUrl()));
        new CountDownLatch(1).await(); // until the JVM is stopped
    }

    /** One node of a local multi-broker cluster, in this process, until it is killed ({@link KafkaNode}). */
    private static void kafkaNode(String[] args) throws Exception {
        LocalKafka node = new LocalKafka(KafkaNode.fromArguments(args));
        node.start();
        Runtime.getRuntime().addShutdownHook(new Thread(node::close));
        node.awaitShutdown();
    }

    /** Where {@code ./mule up} keeps its data: {@code MULE_HOME}, else {@code .mule/} in the repository. */
    private static Path home(Path repo) {
        String home = System.getenv("MULE_HOME");
        return home == null || home.isBlank() ? repo.resolve(".mule") : Path.of(home.trim());
    }

    private static void bench(Path repo) throws Exception {
        Path home = repo.resolve(".mule-bench");
        StackConfig defaults = StackConfig.fromEnvironment(repo, home);
        // its own ports, so that a running `./mule up` is not disturbed (and, set by MULE_BENCH_*_PORT, another bench)
        StackConfig config = new StackConfig(defaults.repo(), home, intProperty("MULE_BENCH_HTTP_PORT", 18080),
                intProperty("MULE_BENCH_KAFKA_PORT", 19092), intProperty("MULE_BENCH_KAFKA_CONTROLLER_PORT", 19093),
                intProperty("MULE_BENCH_PG_PORT", 15432), defaults.partitions());
        // before the last bench's data goes: a bench still running on these ports uses it (deleting its Kafka log
        // directory made its broker halt)
        StackPorts.requireFree(config, true);
        deleteRecursively(home);
        System.setProperty("mule.logs", config.logs().toString());
        try (LocalStack stack = LocalStack.start(config, line -> System.out.println("mule: " + line), Map.of(),
                ServiceJvm.AS_DEPLOYED)) {
            new Bench(stack, intProperty("MULE_BENCH_CLIENTS", 8), intProperty("MULE_BENCH_JOBS", 1000),
                    intProperty("MULE_BENCH_SYNC_CALLS", 300), intProperty("MULE_BENCH_RATE", 100),
                    intProperty("MULE_BENCH_STEADY_SECONDS", 10),
                    Duration.ofSeconds(intProperty("MULE_BENCH_WARMUP_SECONDS", 300))).run();
        }
    }

    private static int intProperty(String env, int fallback) {
        String value = System.getenv(env);
        return value == null || value.isBlank() ? fallback : Integer.parseInt(value.trim());
    }

    /** Deletes a directory and everything under it; nothing if it does not exist. */
    static void deleteRecursively(Path dir) throws java.io.IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
