package ai.mule.launcher;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks, before anything starts, that the loopback ports the stack listens on are free. A stack started while
 * another still held a port failed late and badly: Kafka, unable to bind its controller's port, halted the launcher's
 * JVM, and the PostgreSQL started before it was left running with nothing to stop it. A port taken between this check
 * and its use still fails the start (the launcher then stops what it had started, see {@link LocalStack}).
 */
final class StackPorts {

    private StackPorts() {
    }

    /**
     * @param localKafka whether the stack runs its own broker (its two ports are checked too)
     * @throws StackStartFailed naming every port that is taken and the variable that moves it
     */
    static void requireFree(StackConfig config, boolean localKafka) {
        Map<String, Integer> ports = new LinkedHashMap<>();
        ports.put("HTTP", config.httpPort());
        ports.put("PG", config.postgresPort());
        if (localKafka) {
            ports.put("KAFKA", config.kafkaPort());
            ports.put("KAFKA_CONTROLLER", config.controllerPort());
        }
        List<String> taken = new ArrayList<>();
        ports.forEach((name, port) -> {
            if (!free(port)) {
                taken.add(port + " (MULE_" + name + "_PORT; for ./mule bench MULE_BENCH_" + name + "_PORT)");
            }
        });
        if (!taken.isEmpty()) {
            boolean one = taken.size() == 1;
            throw new StackStartFailed((one ? "port " : "ports ") + String.join(", ", taken) + " on 127.0.0.1 "
                    + (one ? "is" : "are") + " in use, so the stack cannot start. Is another Mule stack running or"
                    + " still stopping (./mule status)? Stop what holds " + (one ? "it" : "them") + ", or set "
                    + (one ? "the variable to a free port." : "the variables to free ports."));
        }
    }

    private static boolean free(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            // as servers bind: a port left in TIME_WAIT by a stopped stack is free, one a program listens on is not
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
