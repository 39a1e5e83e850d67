package ai.mule.orchestrator.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MultiRowInsertTest {

    @Test
    void eachRowBindsItsOwnParameters() {
        MultiRowInsert insert = new MultiRowInsert("INSERT INTO t (a, b) VALUES", "(:a, CAST(:b AS jsonb))",
                "ON CONFLICT (a) DO UPDATE SET b = EXCLUDED.b");

        assertThat(insert.sql(3)).isEqualTo("""
                INSERT INTO t (a, b) VALUES
                (:a_0, CAST(:b_0 AS jsonb)),
                (:a_1, CAST(:b_1 AS jsonb)),
                (:a_2, CAST(:b_2 AS jsonb))
                ON CONFLICT (a) DO UPDATE SET b = EXCLUDED.b""");
    }

    @Test
    void theTailCannotTakeARowsParameter() {
        assertThatThrownBy(() -> new MultiRowInsert("INSERT INTO t (a) VALUES", "(:a)",
                "ON CONFLICT (a) DO UPDATE SET a = :a")).isInstanceOf(IllegalArgumentException.class);
    }
}
