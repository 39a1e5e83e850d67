package ai.mule.orchestrator.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MultiRowInsertTest {

    @Test
    void eachRowTakesItsParametersInTheirPlaces() {
        MultiRowInsert insert = new MultiRowInsert("INSERT INTO t (a, b) VALUES", "(:a, :b::jsonb)",
                "ON CONFLICT (a) DO UPDATE SET b = EXCLUDED.b::text::jsonb");

        assertThat(insert.sql(3)).isEqualTo("""
                INSERT INTO t (a, b) VALUES
                (?, ?::jsonb),
                (?, ?::jsonb),
                (?, ?::jsonb)
                ON CONFLICT (a) DO UPDATE SET b = EXCLUDED.b::text::jsonb""");
    }

    @Test
    void rowsGoInStatementsOfAPowerOfTwoRowsAtMostMaxRows() {
        assertThat(MultiRowInsert.statementSize(1)).isEqualTo(1);
        assertThat(MultiRowInsert.statementSize(7)).isEqualTo(4);
        assertThat(MultiRowInsert.statementSize(64)).isEqualTo(64);
        assertThat(MultiRowInsert.statementSize(200)).isEqualTo(MultiRowInsert.MAX_ROWS);
    }

    @Test
    void theTailCannotTakeARowsParameter() {
        assertThatThrownBy(() -> new MultiRowInsert("INSERT INTO t (a) VALUES", "(:a)",
                "ON CONFLICT (a) DO UPDATE SET a = :a")).isInstanceOf(IllegalArgumentException.class);
    }
}
