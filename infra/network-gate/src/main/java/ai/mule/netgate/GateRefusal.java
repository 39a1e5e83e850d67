package ai.mule.netgate;

import java.io.IOException;

/** The gate refused a call before connecting: why, in words for whoever configured it. */
public class GateRefusal extends IOException {

    public GateRefusal(String message) {
        super(message, null);
    }
}
