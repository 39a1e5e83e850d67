package ai.mule.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.spi.FilterReply;
import java.nio.file.Path;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the launcher's terminal shows of the broker's ERRORs, as its own logback.xml configures it. */
class RetriedAppendFilterTest {

    /** As the broker logged it in `./mule bench`, 2026-12-07. */
    private static final String RETRIED = "Invalid sequence number for producer 2 at offset 1026 in partition"
            + " mule-orchestrator-job-timers-changelog-2: 2 (incoming seq. number). Expected sequence 0 for"
            + " transactions v2 idempotent producer with no existing state.";

    @TempDir
    Path logs;

    private final LoggerContext context = new LoggerContext();
    private Appender<ILoggingEvent> terminal;
    private Appender<ILoggingEvent> file;

    @BeforeEach
    void configureAsTheLauncherDoes() throws Exception {
        context.putProperty("mule.logs", logs.toString());
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        configurator.doConfigure(RetriedAppendFilter.class.getResource("/logback.xml"));
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        terminal = root.getAppender("CONSOLE");
        file = root.getAppender("FILE");
    }

    @AfterEach
    void stop() {
        context.stop();
    }

    @Test
    void theRefusalAProducerRetriesStaysInTheFileOnly() {
        ILoggingEvent refused = brokerError(new OutOfOrderSequenceException(RETRIED));

        assertThat(terminal.getFilterChainDecision(refused)).isEqualTo(FilterReply.DENY);
        assertThat(file.getFilterChainDecision(refused)).isEqualTo(FilterReply.NEUTRAL);
    }

    @Test
    void everyOtherBrokerErrorStillReachesTheTerminal() {
        ILoggingEvent otherSequence = brokerError(new OutOfOrderSequenceException(
                "Out of order sequence number for producer 7 at offset 12 in partition mule.jobs.requests-0:"
                        + " 51 (incoming seq. number), 49 (current end sequence number)"));
        ILoggingEvent corrupt = brokerError(new CorruptRecordException("This message has failed its CRC checksum"));
        ILoggingEvent elsewhere = event("kafka.log.UnifiedLog", new OutOfOrderSequenceException(RETRIED));

        assertThat(terminal.getFilterChainDecision(otherSequence)).isEqualTo(FilterReply.NEUTRAL);
        assertThat(terminal.getFilterChainDecision(corrupt)).isEqualTo(FilterReply.NEUTRAL);
        assertThat(terminal.getFilterChainDecision(elsewhere)).isEqualTo(FilterReply.NEUTRAL);
    }

    private ILoggingEvent brokerError(Throwable thrown) {
        return event(RetriedAppendFilter.BROKER_APPENDS, thrown);
    }

    private ILoggingEvent event(String loggerName, Throwable thrown) {
        Logger logger = context.getLogger(loggerName);
        return new LoggingEvent(Logger.class.getName(), logger, Level.ERROR,
                "[ReplicaManager broker=1] Error processing append operation on partition x-0", thrown, null);
    }
}
