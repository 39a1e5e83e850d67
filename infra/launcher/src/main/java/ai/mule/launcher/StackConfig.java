package ai.mule.launcher;

import java.nio.file.Path;

/**
 * Where the local stack keeps its data and which loopback ports it uses.
 *
 * @param repo       the repository root, where the service jars are built
 * @param home       everything the stack writes: Kafka's log, PostgreSQL's data, streams state, logs
 * @param partitions partitions per Mule topic; more than one so that two runners can share the load
 */
public record StackConfig(Path repo, Path home, int httpPort, int kafkaPort, int controllerPort, int postgresPort,
                          int partitions) {

    /** The defaults of {@code ./mule up}, each overridable by an environment variable. */
    public static StackConfig fromEnvironment(Path repo, Path home) {
        return new StackConfig(repo.toAbsolutePath().normalize(), home.toAbsolutePath().normalize(),
                intEnv("MULE_HTTP_PORT", 8080), intEnv("MULE_KAFKA_PORT", 9092),
                intEnv("MULE_KAFKA_CONTROLLER_PORT", 9093), intEnv("MULE_PG_PORT", 5432),
                intEnv("MULE_PARTITIONS", 3));
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + kafkaPort;
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + postgresPort + "/" + LocalPostgres.DATABASE;
    }

    public String gatewayUrl() {
        return "http://127.0.0.1:" + httpPort;
    }

    public Path logs() {
        return home.resolve("logs");
    }

    private static int intEnv(String name, int fallback) {
        String value = System.getenv(name);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a number, was '" + value + "'");
        }
    }
}
