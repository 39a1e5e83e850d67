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
 * errors; this sees the rest.
 * <ul>
 *   <li>A send the broker refused (e.g. a record too large, which {@link StepFinished#of} guards against): FAIL.
 *   Under exactly-once the transaction is aborted anyway, so the task restarts from its last commit and nothing
 *   is lost or emitted twice; continuing would only pretend the record went out.</li>
 *   <li>A record that cannot be serialized: a bug in this service for that one record, which a retry cannot
 *   fix; it is logged and skipped (CONTINUE) so that the other jobs on the partition keep moving.</li>
 * </ul>
 */
public final class SendFailureHandler implements ProductionExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(SendFailureHandler.class);
    private static final Set<String> PIPELINE_TOPICS =
            Topics.all().stream().map(Topic::name).collect(Collectors.toUnmodifiableSet());

    @Override
    public ProductionExceptionHandlerResponse handle(ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record,
                                                     Exception exception) {
        if (!PIPELINE_TOPICS.contains(record.topic())) {
            // a reply topic named by a Kafka ingress request (checked to exist when the job was accepted, but
            // it may be gone since): the job itself went on, and one integration's topic must not stop them all
            log.error("Cannot send a job's reply to {} (from {}-{}@{}); the reply is dropped", record.topic(),
                    context.topic(), context.partition(), context.offset(), exception);
            return ProductionExceptionHandlerResponse.CONTINUE;
        }
        log.error("Cannot send a record to {} (from {}-{}@{}); the task restarts from its last commit", record.topic(),
                context.topic(), context.partition(), context.offset(), exception);
        return ProductionExceptionHandlerResponse.FAIL;
    }

    @Override
    @SuppressWarnings("rawtypes")
    public ProductionExceptionHandlerResponse handleSerializationException(ErrorHandlerContext context,
                                                                           ProducerRecord record, Exception exception,
                                                                           SerializationExceptionOrigin origin) {
        log.error("Skipping a record for {} whose {} cannot be serialized (key {}, from {}-{}@{})", record.topic(),
                origin.name().toLowerCase(), record.key(), context.topic(), context.partition(), context.offset(),
                exception);
        return ProductionExceptionHandlerResponse.CONTINUE;
    }

    @Override
    public void configure(Map<String, ?> configs) {
        // nothing to configure
    }
}
