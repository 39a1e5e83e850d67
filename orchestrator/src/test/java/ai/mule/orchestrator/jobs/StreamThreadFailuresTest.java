package ai.mule.orchestrator.jobs;

import ai.mule.testkit.TestClock;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.junit.jupiter.api.Test;

/** A failing stream thread is replaced a bounded number of times in a window, then the service gives up. */
class StreamThreadFailuresTest {

    private final TestClock clock = new TestClock(Instant.parse("2026-03-01T12:00:00Z"));
    private final StreamThreadFailures failures = new StreamThreadFailures(3, Duration.ofMinutes(10), clock);

    @Test
    void aFailureThatKeepsComingBackShutsTheClientDownAfterTheAllowedReplacements() {
        for (int i = 0; i < 3; i++) {
            assertThat(failures.handle(new StreamsException("boom " + i)))
                    .isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
            clock.advance(Duration.ofMinutes(1));
        }

        assertThat(failures.handle(new StreamsException("boom again")))
                .isEqualTo(StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
    }

    @Test
    void failuresOutsideTheWindowDoNotCount() {
        for (int i = 0; i < 3; i++) {
            assertThat(failures.handle(new StreamsException("now and then")))
                    .isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
            clock.advance(Duration.ofMinutes(6));
        }

        assertThat(failures.handle(new StreamsException("once more")))
                .isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
    }

    @Test
    void anErrorShutsTheClientDownAtOnce() {
        assertThat(failures.handle(new StreamsException("wrapped", new OutOfMemoryError("Java heap space"))))
                .isEqualTo(StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
        assertThat(new StreamThreadFailures(3, Duration.ofMinutes(10), clock).handle(new StackOverflowError()))
                .isEqualTo(StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
    }

    @Test
    void noReplacementsAllowedShutsDownOnTheFirstFailure() {
        assertThat(new StreamThreadFailures(0, Duration.ofMinutes(10), clock).handle(new StreamsException("boom")))
                .isEqualTo(StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
    }
}
