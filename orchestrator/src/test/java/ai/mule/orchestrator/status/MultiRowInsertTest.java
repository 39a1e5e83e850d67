package ai.mule.orchestrator.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MultiRowInsertTest {

    @Test
    void eachRowBindsItsOwnParameters() {
        MultiRowInsert insert = new MultiRowInsert("INSERT INTO t (a, b) VALUES", "(:a, :b::jsonb)",
                "ON CONFLICT (a) DO UPDATE SET b = EXCLUDED.b::text::jsonb");

        assertThat(insert.sql(3)).isEqualTo("""
                INSERT INTO t (a, b) VALUES
                (:a_0, :b_0::jsonb),
                (:a_1, :b_1::jsonb),
                (:a_2, :b_2::jsonb)
                ON CONFLICT (a) DO UPDATE SET b = EXCLUDED.b::text::jsonb""");
    }

    @Test
    void theTailCannotTakeARowsParameter() {
        assertThatThrownBy(() -> new MultiRowInsert("INSERT INTO t (a) VALUES", "(:a)",
                "ON CONFLICT (a) DO UPDATE SET a = :a")).isInstanceOf(IllegalArgumentException.class);
    }
}
