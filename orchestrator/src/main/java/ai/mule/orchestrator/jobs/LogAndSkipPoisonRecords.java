package ai.mule.orchestrator.jobs;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A record the orchestrator cannot read (not JSON, not a known message) is logged with where it is and skipped:
 * it can never become readable, and failing would stop every job on its partition. There is no dead-letter
 * topic in the contract; the record stays on its input topic for inspection.
 */
public final class LogAndSkipPoisonRecords implements DeserializationExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(LogAndSkipPoisonRecords.class);
    private static final int PREVIEW_BYTES = 200;

    @Override
    public Response handleError(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record,
                                Exception exception) {
        log.warn("Skipping unreadable record {}-{}@{} (key {}): {}; value starts with: {}", record.topic(),
                record.partition(), record.offset(), text(record.key()), exception.getMessage(), preview(record.value()));
        return Response.resume();
    }

    @Override
    public void configure(Map<String, ?> configs) {
        // nothing to configure
    }

    private static String text(byte[] bytes) {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    private static String preview(byte[] value) {
        if (value == null) {
            return null;
        }
        return new String(value, 0, Math.min(value.length, PREVIEW_BYTES), StandardCharsets.UTF_8);
    }
}
