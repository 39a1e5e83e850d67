package ai.mule.launcher;

import java.io.IOException;
import java.net.ServerSocket;

/** Ports for a test's stack: one the OS has just handed out, so two tests running at once do not collide. */
final class FreePorts {

    private FreePorts() {
    }

    static int next() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
