package ai.mule.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import org.junit.jupiter.api.Test;

class StepPolicyTest {

    private final StepPolicy policy = new StepPolicy(4, 100, 2.0, 300, 5_000, false);

    @Test
    void backoffGrowsByTheMultiplierUpToItsCap() {
        assertThat(policy.backoffBeforeAttempt(1)).isZero();
        assertThat(policy.backoffBeforeAttempt(2)).isEqualTo(100);
        assertThat(policy.backoffBeforeAttempt(3)).isEqualTo(200);
        assertThat(policy.backoffBeforeAttempt(4)).isEqualTo(300);
        assertThat(policy.backoffBeforeAttempt(10)).isEqualTo(300);
    }

    @Test
    void transientFailuresAreRetriedWhileAttemptsRemain() {
        assertThat(policy.retries(FailureKind.TIMEOUT, 1)).isTrue();
        assertThat(policy.retries(FailureKind.PROVIDER_RATE_LIMITED, 3)).isTrue();
        assertThat(policy.retries(FailureKind.RUNNER_LOST, 4)).isFalse();
    }

    @Test
    void stepFailuresAreRetriedOnlyWhenThePolicySaysSo() {
        StepPolicy retryAll = new StepPolicy(2, 0, 1.0, 0, 1_000, true);

        assertThat(policy.retries(FailureKind.MODULE_FAILED, 1)).isFalse();
        assertThat(policy.retries(FailureKind.TRAP, 1)).isFalse();
        assertThat(policy.retries(null, 1)).isFalse();
        assertThat(retryAll.retries(FailureKind.MODULE_FAILED, 1)).isTrue();
        assertThat(retryAll.retries(FailureKind.CANCELLED, 1)).isFalse();
    }

    @Test
    void impossiblePoliciesAreRefused() {
        assertThatThrownBy(() -> new StepPolicy(0, 0, 1.0, 0, 1_000, false)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new StepPolicy(1, 0, 0.5, 0, 1_000, false)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void stepsWithoutAPolicyGetTheirTypesDefault() {
        WasmStep wasm = new WasmStep(1, null, "m", "upper", "a".repeat(64), JsonNodeFactory.instance.objectNode(), null);

        assertThat(wasm.policy()).isEqualTo(StepPolicy.WASM_DEFAULT);
        assertThat(Messages.wasmStep().policy()).isEqualTo(StepPolicy.WASM_DEFAULT);
    }
}
