package ai.mule.schemas;

import com.fasterxml.jackson.annotation.JsonValue;

/** Mule v2's job statuses; the last three are terminal and never change again. */
public enum JobStatus {
    QUEUED, RUNNING, COMPLETED, FAILED, CANCELLED;

    @JsonValue
    public String wire() {
        return name().toLowerCase();
    }

    public boolean terminal() {
        return this == COMPLETED || this == FAILED || this == CANCELLED;
    }

    public static JobStatus fromWire(String value) {
        return valueOf(value.toUpperCase());
    }
}
