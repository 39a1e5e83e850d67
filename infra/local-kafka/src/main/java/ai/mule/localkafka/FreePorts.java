package ai.mule.localkafka;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Ports for local listeners (a Kafka node's two, the launcher's stack, the test kit's broker): each one the OS has
 * just handed out on the loopback address, so that stacks side by side do not collide, and none handed out twice by
 * this JVM. The OS may give a port it has just taken back to the next caller at once: in CI a test's broker was given
 * one port for both its listeners and refused to start.
 */
public final class FreePorts {

    private static final int MAX_TRIES = 100;
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    private FreePorts() {
    }

    public static int next() throws IOException {
        for (int i = 0; i < MAX_TRIES; i++) {
            int port;
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = socket.getLocalPort();
            }
            if (HANDED_OUT.add(port)) {
                return port;
            }
        }
        throw new IOException("the OS handed out only ports this process has already used, " + MAX_TRIES + " times");
    }
}
