package ai.mule.orchestrator.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import ai.mule.orchestrator.TestJobs;
import ai.mule.schemas.JobStatus;
import ai.mule.schemas.JsonSerde;
import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/** Every state goes to the store; running jobs' states written here are read back from memory, within a budget. */
class JobStatesTest {

    private static final Instant NOW = Instant.parse("2026-12-03T17:00:00Z");

    private final WrittenJson written = new WrittenJson();
    private final KeyValueStore<String, JobState> store = store(written);
    private final JobStates states = new JobStates(store, written);

    @Test
    void aRunningJobsStateIsStoredAndReadBackWithoutTheStore() {
        JobState state = measured(running("job-1"));
        states.put(state);
        written.forget();

        assertThat(store.get("job-1")).isEqualTo(state).isNotSameAs(state);
        assertThat(states.get("job-1")).isSameAs(state);
        assertThat(states.kept()).isOne();
    }

    @Test
    void aFinishedJobOrAStateNotMeasuredIsStoredButNotKept() {
        JobState finished = measured(running("done").finished(JobStatus.COMPLETED, NOW));
        states.put(finished);
        JobState unmeasured = running("unmeasured");
        states.put(unmeasured);

        assertThat(states.kept()).isZero();
        // a finished job is stored as what recognising late messages needs, without its steps or input
        assertThat(states.get("done")).isEqualTo(finished.asEnded()).isNotSameAs(finished);
        assertThat(states.get("done").snapshot().steps()).isEmpty();
        assertThat(states.get("done").progress().lastSeq()).isEqualTo(finished.progress().lastSeq());
        assertThat(states.get("unmeasured")).isEqualTo(unmeasured).isNotSameAs(unmeasured);
    }

    @Test
    void aJobThatEndsOrIsDeletedIsNoLongerReadFromMemory() {
        JobState state = measured(running("job-1"));
        states.put(state);
        JobState ended = measured(state.finished(JobStatus.FAILED, NOW));
        states.put(ended);

        assertThat(states.kept()).isZero();
        assertThat(states.get("job-1").status()).isEqualTo(JobStatus.FAILED);

        JobState other = measured(running("job-2"));
        states.put(other);
        states.delete("job-2");
        assertThat(states.get("job-2")).isNull();
        assertThat(store.get("job-2")).isNull();
    }

    @Test
    void theLeastRecentlyUsedStatesAreDroppedPastTheBudgetAndStillReadFromTheStore() {
        int size = written.write(running("job-00000")).length;
        int fit = (int) (JobStates.MAX_KEPT_JSON_BYTES / size);
        for (int i = 0; i <= fit + 10; i++) {
            states.put(measured(running("job-%05d".formatted(i))));
        }

        assertThat(states.kept()).isBetween(fit - 1, fit);
        JobState first = states.get("job-00000");
        assertThat(first).isNotNull();
        assertThat(first.jobId()).isEqualTo("job-00000");
    }

    private JobState measured(JobState state) {
        written.write(state);
        return state;
    }

    private static JobState running(String jobId) {
        return JobState.starting(TestJobs.threeMixedSteps(jobId), Duration.ofSeconds(1))
                .running(TestJobs.prompt("hello"), NOW);
    }

    private static KeyValueStore<String, JobState> store(WrittenJson written) {
        KeyValueStore<String, JobState> store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("jobs"),
                Serdes.String(), written.serde(new JsonSerde<>(JobState.class))).withLoggingDisabled().build();
        MockProcessorContext<String, Object> context = new MockProcessorContext<>();
        store.init(context.getStateStoreContext(), store);
        return store;
    }
}
