package ai.mule.gateway.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The supervision every background loop gets: restarted after any Throwable, and reported while it does not work. */
class BackgroundLoopTest {

    @Test
    void aLoopKilledByAnErrorIsRestartedAndReportedDownMeanwhile() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch working = new CountDownLatch(1);
        TestLoop loop = new TestLoop(self -> {
            if (runs.incrementAndGet() == 1) {
                throw new OutOfMemoryError("first run");
            }
            while (self.isRunning()) {
                self.beat();
                working.countDown();
                sleep(10);
            }
        });

        loop.start();
        String down = await().atMost(Duration.ofSeconds(2)).until(() -> loop.problem().orElse(null), p -> p != null);
        boolean restarted = working.await(5, TimeUnit.SECONDS);

        assertThat(down).contains("background loop test-loop is down since").contains("OutOfMemoryError: first run");
        assertThat(restarted).isTrue();
        assertThat(runs.get()).isEqualTo(2);
        assertThat(loop.problem()).isEmpty();
        loop.stop();
        assertThat(loop.problem()).as("stopped on purpose").isEmpty();
    }

    @Test
    void aLoopThatStopsMakingProgressOrEndsByItselfIsReported() {
        CountDownLatch release = new CountDownLatch(1);
        TestLoop stuck = new TestLoop(self -> {
            self.beat();
            awaitQuietly(release);
        });
        stuck.stallAfter = Duration.ofMillis(200);
        TestLoop ending = new TestLoop(TestLoop::end);

        stuck.start();
        ending.start();

        await().atMost(Duration.ofSeconds(3)).until(() -> stuck.problem().isPresent());
        assertThat(stuck.problem().orElseThrow()).contains("made no progress");
        await().atMost(Duration.ofSeconds(3)).until(() -> ending.problem().isPresent());
        assertThat(ending.problem().orElseThrow()).contains("has ended");
        release.countDown();
        stuck.stop();
    }

    private static final class TestLoop extends BackgroundLoop {

        private final java.util.function.Consumer<TestLoop> body;
        private Duration stallAfter;

        TestLoop(java.util.function.Consumer<TestLoop> body) {
            super("test-loop", Duration.ofSeconds(2));
            this.body = body;
        }

        @Override
        protected void loop() {
            body.accept(this);
        }

        @Override
        protected void wakeForStop() {
            // the bodies poll isRunning() every few milliseconds
        }

        @Override
        protected Duration stallAfter() {
            return stallAfter;
        }

        void beat() {
            alive();
        }

        void end() {
            halt();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
