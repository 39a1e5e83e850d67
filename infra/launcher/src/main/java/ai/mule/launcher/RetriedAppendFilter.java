package ai.mule.launcher;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;

/**
 * Keeps off the terminal the broker's ERROR for an append its producer retries and gets through: the rest of what
 * the broker logs at ERROR still shows, and launcher.log keeps this one too.
 * <p>
 * With transactions v2 a transactional producer's first batch to a partition in a new transaction can meet
 * {@code CONCURRENT_TRANSACTIONS} while the last transaction's markers are still being written; the batches it had
 * sent behind it to the same partition are then refused as out of sequence, and the producer sends them all again
 * (KAFKA-18202 made that refusal the retriable path). The broker logs each refusal with a stack trace, at ERROR:
 * under load {@code ./mule bench} and {@code ./mule up} printed a dozen such traces at a time though nothing failed.
 * A producer that cannot get through says so in its own service's log, and a service that gives up is unhealthy.
 */
public final class RetriedAppendFilter extends Filter<ILoggingEvent> {

    static final String BROKER_APPENDS = "kafka.server.ReplicaManager";
    /** The refusal KAFKA-18202 added, which the producer retries. */
    static final String RETRIED_REFUSAL = "Expected sequence 0 for transactions v2 idempotent producer with no"
            + " existing state";

    @Override
    public FilterReply decide(ILoggingEvent event) {
        return BROKER_APPENDS.equals(event.getLoggerName()) && retried(event.getThrowableProxy())
                ? FilterReply.DENY : FilterReply.NEUTRAL;
    }

    private static boolean retried(IThrowableProxy thrown) {
        return thrown != null && OutOfOrderSequenceException.class.getName().equals(thrown.getClassName())
                && thrown.getMessage() != null && thrown.getMessage().contains(RETRIED_REFUSAL);
    }
}
