package ai.mule.gateway.outbox;

/** A message larger than Kafka accepts; nothing was written for it. */
public class MessageTooLargeException extends RuntimeException {

    private final int size;
    private final int limit;

    MessageTooLargeException(int size, int limit) {
        super("message of " + size + " bytes is over the " + limit + "-byte Kafka record limit (mule.limits.max-record-bytes)");
        this.size = size;
        this.limit = limit;
    }

    public int size() {
        return size;
    }

    public int limit() {
        return limit;
    }
}
