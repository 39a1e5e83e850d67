package ai.mule.runner.agent.commands;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class WorkInFlightTest {

    @Test
    void isFullAtTheLimit() {
        WorkInFlight work = new WorkInFlight(2);
        work.add();
        assertThat(work.isFull()).isFalse();
        work.add();
        assertThat(work.isFull()).isTrue();
        work.remove();
        assertThat(work.isFull()).isFalse();
    }

    @Test
    void aWaitEndsAsSoonAsAStepFinishes() throws Exception {
        WorkInFlight work = new WorkInFlight(1);
        work.add();
        CompletableFuture.runAsync(work::remove, CompletableFuture.delayedExecutor(50, TimeUnit.MILLISECONDS));

        long started = System.nanoTime();
        work.awaitRoom(Duration.ofSeconds(5));

        assertThat(work.isFull()).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
    }

    @Test
    void aWaitGivesUpAfterItsTimeout() throws Exception {
        WorkInFlight work = new WorkInFlight(1);
        work.add();

        long started = System.nanoTime();
        work.awaitRoom(Duration.ofMillis(50));

        assertThat(work.isFull()).isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(50));
    }
}
