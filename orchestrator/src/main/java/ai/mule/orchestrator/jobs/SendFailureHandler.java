package ai.mule.orchestrator.jobs;

import ai.mule.schemas.Topic;
import ai.mule.schemas.Topics;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What to do when an event or step command cannot be sent. Streams itself handles fencing, retriable and fatal
 * errors; this sees the rest. A record of the pipeline is never dropped: a dropped event could leave a job
 * finished in the orchestrator and {@code running} in PostgreSQL forever, a dropped command a job waiting for a
 * step nobody runs.
 * <p>
 * Size and serialization failures should not get here at all: {@link JobProcessor} measures every record with the
 * same serializer before it forwards anything, and fails the job of a record that would not fit
 * ({@code mule.limits.max-record-bytes}). What still gets here is not one job's data: a broker or topic that
 * refuses records the limits allow ({@code max.message.bytes} set below {@code mule.limits.max-record-bytes}), or
 * a bug. Both are answered fail. Under exactly-once the transaction is aborted anyway, so the task restarts from
 * its last commit and nothing is lost or emitted twice. What ends the loop if the failure comes back every time
 * is {@link StreamThreadFailures}: after a bounded number of replaced threads the service exits non-zero, with the
 * cause in its log, so that its supervisor restarts it and an operator sees it (lower the limit or raise the
 * topic's), instead of a stream that silently stops or silently loses the record.
 * <p>
 * The one exception is the reply topic a Kafka ingress request named: the job itself went on and its status is
 * written from {@code mule.jobs.events}; that one integration's topic must not stop every job, so its reply is
 * logged and dropped (resume).
 */
public final class SendFailureHandler implements ProductionExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(SendFailureHandler.class);
    private static final Set<String> PIPELINE_TOPICS =
            Topics.all().stream().map(Topic::name).collect(Collectors.toUnmodifiableSet());

    @Override
    public Response handleError(ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record,
                                Exception exception) {
        if (!PIPELINE_TOPICS.contains(record.topic())) {
            // a reply topic named by a Kafka ingress request (checked to exist when the job was accepted, but
            // it may be gone since): the job itself went on, and one integration's topic must not stop them all
            log.error("Cannot send a job's reply to {} (from {}-{}@{}); the reply is dropped", record.topic(),
                    context.topic(), context.partition(), context.offset(), exception);
            return Response.resume();
        }
        log.error("Cannot send a record of {} bytes to {} (from {}-{}@{}); the task restarts from its last commit. "
                        + "If the broker refused its size, make the topic's max.message.bytes at least "
                        + "mule.limits.max-record-bytes", size(record), record.topic(), context.topic(),
                context.partition(), context.offset(), exception);
        return Response.fail();
    }

    @Override
    @SuppressWarnings("rawtypes")
    public Response handleSerializationError(ErrorHandlerContext context, ProducerRecord record, Exception exception,
                                             SerializationExceptionOrigin origin) {
        // the record was written once already, by the check before it was forwarded: this is a bug, not the data
        log.error("Cannot serialize the {} of a record for {} (key {}, from {}-{}@{}) although it passed the record "
                        + "check; the task restarts from its last commit", origin.name().toLowerCase(), record.topic(),
                record.key(), context.topic(), context.partition(), context.offset(), exception);
        return Response.fail();
    }

    private static int size(ProducerRecord<byte[], byte[]> record) {
        return (record.key() == null ? 0 : record.key().length) + (record.value() == null ? 0 : record.value().length);
    }

    @Override
    public void configure(Map<String, ?> configs) {
        // nothing to configure
    }
}
