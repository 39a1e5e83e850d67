package ai.mule.orchestrator.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/** The timers share {@code job-timers} with the finished jobs' index, and only the timers are loaded or woken. */
class DueTimersTest {

    private static final Instant NOW = Instant.parse("2026-12-02T16:00:00Z");

    @Test
    void loadsOnlyTheTimersOfAStoreThatHoldsFinishedJobsToo() {
        KeyValueStore<String, String> store = store();
        store.put(JobProcessor.timeKey(NOW, "running"), "running");
        FinishedJobs finished = new FinishedJobs(store, store());
        finished.add(NOW.minusSeconds(60), "done-earlier");
        finished.add(NOW, "done-now");

        DueTimers timers = new DueTimers(store);

        assertThat(timers.size()).isOne();
        assertThat(timers.before(DueTimers.LAST_KEY, 10)).extracting(timer -> timer.value).containsExactly("running");
        assertThat(finished.finishedBefore(NOW.plusSeconds(1), 10)).extracting(entry -> entry.value)
                .containsExactly("done-earlier", "done-now");
    }

    @Test
    void aTimerLoadedFromTheStoreIsKeptForALaterWakeTimeAndReplacedForAnEarlierOne() {
        KeyValueStore<String, String> store = store();
        String loaded = JobProcessor.timeKey(NOW, "job");
        store.put(loaded, "job");
        DueTimers timers = new DueTimers(store);

        timers.wakeBy("job", NOW.plusSeconds(30));
        assertThat(keys(store)).as("already woken earlier: nothing written").containsExactly(loaded);
        assertThat(timers.size()).isOne();

        timers.wakeBy("job", NOW.minusSeconds(1));
        String earlier = JobProcessor.timeKey(NOW.minusSeconds(1), "job");
        assertThat(keys(store)).containsExactly(earlier);
        assertThat(timers.before(DueTimers.LAST_KEY, 10)).extracting(timer -> timer.key).containsExactly(earlier);

        timers.delete(earlier);
        assertThat(keys(store)).isEmpty();
        timers.wakeBy("job", NOW.plusSeconds(30));
        assertThat(keys(store)).containsExactly(JobProcessor.timeKey(NOW.plusSeconds(30), "job"));
        timers.cancel("job");
        timers.cancel("job");
        assertThat(keys(store)).isEmpty();
        assertThat(timers.size()).isZero();
    }

    private static List<String> keys(KeyValueStore<String, String> store) {
        List<String> keys = new ArrayList<>();
        try (var all = store.all()) {
            all.forEachRemaining(entry -> keys.add(entry.key));
        }
        return keys;
    }

    @Test
    void everyTimeKeySortsBeforeTheLastKeyAndEveryFinishedKeyAfterIt() {
        String latest = JobProcessor.timeKey(Instant.ofEpochMilli(Long.MAX_VALUE), "ffffffff-ffff-ffff-ffff-ffffffffffff");
        assertThat(latest).isLessThan(DueTimers.LAST_KEY);
        assertThat(FinishedJobs.PREFIX + JobProcessor.timeKey(Instant.EPOCH, "0")).isGreaterThan(DueTimers.LAST_KEY);
    }

    @Test
    void finishedJobsComeOldestFirstFromTheEarlierStoreThenTheTimersStoreUpToTheBatch() {
        KeyValueStore<String, String> timersStore = store();
        KeyValueStore<String, String> legacy = store();
        legacy.put(JobProcessor.timeKey(NOW.minusSeconds(30), "old"), "old");
        FinishedJobs finished = new FinishedJobs(timersStore, legacy);
        finished.add(NOW.minusSeconds(20), "newer");
        finished.add(NOW.plusSeconds(20), "not-yet");

        assertThat(finished.finishedBefore(NOW, 10)).extracting(entry -> entry.value).containsExactly("old", "newer");
        assertThat(finished.finishedBefore(NOW, 1)).extracting(entry -> entry.value).containsExactly("old");

        for (KeyValue<String, String> entry : finished.finishedBefore(NOW, 10)) {
            finished.remove(entry.key);
        }
        assertThat(finished.finishedBefore(NOW.plusSeconds(60), 10)).extracting(entry -> entry.value)
                .containsExactly("not-yet");
        assertThat(legacy.get(JobProcessor.timeKey(NOW.minusSeconds(30), "old"))).isNull();
    }

    private static KeyValueStore<String, String> store() {
        KeyValueStore<String, String> store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("job-timers"),
                Serdes.String(), Serdes.String()).withLoggingDisabled().build();
        store.init(new MockProcessorContext<String, String>().getStateStoreContext(), store);
        return store;
    }
}
