package ai.mule.runner.runtime;

import ai.mule.schemas.StepCommand;
import ai.mule.schemas.Topic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reading step commands off their topic; a record that is not one is logged and skipped. */
final class StepCommands {

    private static final Logger log = LoggerFactory.getLogger(StepCommands.class);

    private StepCommands() {
    }

    /** The command, or null for a record that is not one (its offset then simply advances). */
    static StepCommand decode(Topic<String, StepCommand> topic, ConsumerRecord<String, byte[]> record) {
        String where = record.topic() + "-" + record.partition() + "@" + record.offset();
        if (record.value() == null) {
            log.warn("skipping {}: empty record (key {})", where, record.key());
            return null;
        }
        try {
            StepCommand command = topic.valueSerde().deserializer().deserialize(record.topic(), record.value());
            if (command == null || command.jobId() == null || command.jobId().isBlank()) {
                log.warn("skipping {}: a step command without job id, nowhere to report to", where);
                return null;
            }
            return command;
        } catch (RuntimeException e) {
            log.warn("skipping {}: not a readable step command ({})", where, e.toString());
            return null;
        }
    }
}
