package ai.mule.runner.agent.commands;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class PartitionProgressTest {

    private final PartitionProgress progress = new PartitionProgress();

    @Test
    void nothingToCommitBeforeTheFirstRecord() {
        assertThat(progress.toCommit()).isEmpty();
    }

    @Test
    void commitsUpToTheOldestStepStillRunning() {
        progress.dispatched(5);
        progress.dispatched(6);
        progress.dispatched(7);

        progress.completed(6);
        progress.completed(7);
        assertThat(progress.toCommit()).as("offset 5 still runs: its position is already committed").isEmpty();

        progress.completed(5);
        assertThat(progress.toCommit()).isEqualTo(OptionalLong.of(8));
    }

    @Test
    void asksOnceForEachNewOffset() {
        progress.dispatched(0);
        progress.dispatched(1);
        progress.completed(0);

        assertThat(progress.toCommit()).isEqualTo(OptionalLong.of(1));
        assertThat(progress.toCommit()).isEmpty();

        progress.completed(1);
        assertThat(progress.toCommit()).isEqualTo(OptionalLong.of(2));
    }

    @Test
    void asksAgainAfterAFailedCommit() {
        progress.dispatched(3);
        progress.completed(3);
        assertThat(progress.toCommit()).isEqualTo(OptionalLong.of(4));

        progress.commitFailed(4);

        assertThat(progress.toCommit()).isEqualTo(OptionalLong.of(4));
    }
}
