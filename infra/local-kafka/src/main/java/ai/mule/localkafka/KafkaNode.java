package ai.mule.localkafka;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.Uuid;

/**
 * One KRaft node (broker and controller) of a local cluster: its id, ports, log directory and the cluster's
 * controller quorum. {@code java -jar mule-launcher.jar kafka-node <id> <kafka port> <log dir> <cluster id>
 * <id>@<controller port>,...} runs one as its own process, so that a test can SIGKILL a broker as a crash would.
 *
 * @param voters node id to controller port, for every node of the cluster
 */
public record KafkaNode(int nodeId, int kafkaPort, Path logDir, String clusterId, Map<Integer, Integer> voters,
                        int partitions) {

    /** A cluster of one node, as {@code ./mule up} and the tests run. */
    public static KafkaNode single(Path logDir, int kafkaPort, int controllerPort, int partitions) {
        // the id is only used when the log directory is formatted, on the first start
        return new KafkaNode(1, kafkaPort, logDir, Uuid.randomUuid().toString(), Map.of(1, controllerPort), partitions);
    }

    public int controllerPort() {
        return voters.get(nodeId);
    }

    public short replicationFactor() {
        return (short) Math.min(3, voters.size());
    }

    public int minInsyncReplicas() {
        return Math.max(1, replicationFactor() - 1);
    }

    /** The command-line arguments after {@code kafka-node} that {@link #fromArguments} reads back. */
    public String[] arguments() {
        StringBuilder quorum = new StringBuilder();
        voters.forEach((id, port) -> quorum.append(quorum.isEmpty() ? "" : ",").append(id).append('@').append(port));
        return new String[] {String.valueOf(nodeId), String.valueOf(kafkaPort), logDir.toString(), clusterId,
                quorum.toString(), String.valueOf(partitions)};
    }

    public static KafkaNode fromArguments(String[] args) {
        if (args.length != 6) {
            throw new IllegalArgumentException("usage: kafka-node <id> <kafka port> <log dir> <cluster id> "
                    + "<id>@<controller port>,... <partitions>");
        }
        Map<Integer, Integer> voters = new LinkedHashMap<>();
        for (String voter : args[4].split(",")) {
            String[] idAndPort = voter.split("@");
            voters.put(Integer.parseInt(idAndPort[0]), Integer.parseInt(idAndPort[1]));
        }
        return new KafkaNode(Integer.parseInt(args[0]), Integer.parseInt(args[1]), Path.of(args[2]), args[3], voters,
                Integer.parseInt(args[5]));
    }
}
