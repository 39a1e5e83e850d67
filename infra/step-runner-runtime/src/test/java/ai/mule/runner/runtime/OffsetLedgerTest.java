package ai.mule.runner.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class OffsetLedgerTest {

    private static final TopicPartition P0 = new TopicPartition("mule.steps.wasm", 0);
    private static final TopicPartition P1 = new TopicPartition("mule.steps.wasm", 1);

    private final OffsetLedger ledger = new OffsetLedger();

    @Test
    void commitsOnlyPastTheLongestAcknowledgedPrefix() {
        ledger.dispatched(P0, 10);
        ledger.dispatched(P0, 11);
        ledger.dispatched(P0, 12);

        ledger.done(P0, 11);
        ledger.done(P0, 12);
        assertThat(ledger.advance()).isEmpty();
        assertThat(ledger.inFlight(List.of(P0))).isTrue();

        ledger.done(P0, 10);
        assertThat(ledger.advance()).isEqualTo(Map.of(P0, new OffsetAndMetadata(13)));
        assertThat(ledger.inFlight(List.of(P0))).isFalse();
        assertThat(ledger.advance()).isEmpty();
    }

    @Test
    void skipsOverGapsLeftByTransactionMarkers() {
        ledger.dispatched(P0, 4);
        ledger.dispatched(P0, 6);
        ledger.done(P0, 4);
        ledger.done(P0, 6);

        assertThat(ledger.advance()).isEqualTo(Map.of(P0, new OffsetAndMetadata(7)));
    }

    @Test
    void keepsPartitionsApart() {
        ledger.dispatched(P0, 1);
        ledger.dispatched(P1, 1);
        ledger.done(P1, 1);

        assertThat(ledger.advance()).isEqualTo(Map.of(P1, new OffsetAndMetadata(2)));
        assertThat(ledger.inFlight(List.of(P1))).isFalse();
        assertThat(ledger.inFlight(List.of(P0, P1))).isTrue();
    }

    @Test
    void remembersPositionsForTheFinalCommit() {
        ledger.dispatched(P0, 1);
        ledger.done(P0, 1);
        ledger.advance();

        assertThat(ledger.positions(List.of(P0, P1))).isEqualTo(Map.of(P0, new OffsetAndMetadata(2)));
    }

    @Test
    void ignoresAcknowledgementsOfPartitionsNoLongerHeld() {
        ledger.dispatched(P0, 1);
        ledger.forget(List.of(P0));
        ledger.done(P0, 1);

        assertThat(ledger.advance()).isEmpty();
        assertThat(ledger.positions(List.of(P0))).isEmpty();
    }

    @Test
    void aSynchronousCommitOfSomePartitionsLeavesTheOthersToCommit() {
        ledger.dispatched(P0, 1);
        ledger.dispatched(P1, 1);
        ledger.done(P0, 1);
        ledger.done(P1, 1);

        // a revoke of P0 commits it at once; P1 moved too and must still be handed to the next commit
        assertThat(ledger.positions(List.of(P0))).isEqualTo(Map.of(P0, new OffsetAndMetadata(2)));
        assertThat(ledger.advance()).isEqualTo(Map.of(P1, new OffsetAndMetadata(2)));
    }
}
