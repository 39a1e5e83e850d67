package ai.mule.orchestrator.status;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.jdbc.core.JdbcOperations;
import org.springframework.jdbc.core.StatementCreatorUtils;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;

/**
 * An {@code INSERT} of many rows as one statement: {@code VALUES (row 0), (row 1), ...}, each row's values bound as
 * a single row's would be. A JDBC batch of one-row statements goes to PostgreSQL in one round trip, but PostgreSQL
 * still runs each row as a statement of its own; one statement runs its rows in one executor (issue 14).
 * <p>
 * Rows go in statements of a power of two rows, at most {@value #MAX_ROWS}, so that a handful of statement texts
 * serve every count (each is parsed and planned once per connection). An {@code ON CONFLICT ... DO UPDATE} tail
 * may read a row's values only through {@code EXCLUDED}, and no two rows of one call may conflict with each other
 * (PostgreSQL refuses a statement that would update a row twice).
 * <p>
 * The row is written with named parameters, but the statement goes out with positional ones, bound straight from
 * each row: through Spring's named parameters, renaming each row's, copying every value of up to 64 rows into one
 * source and parsing the statement back to positions took 44% of the time that writing the rows took (issue 14).
 */
final class MultiRowInsert {

    static final int MAX_ROWS = 64;
    /** A named parameter as Spring reads one: {@code :name}, but not a {@code ::type} cast. */
    private static final Pattern PARAMETER = Pattern.compile("(?<!:):(\\w+)");

    private final String head;
    private final String row;
    private final String tail;
    private final List<String> names = new ArrayList<>();
    private final Map<Integer, String> sqlByRows = new ConcurrentHashMap<>();

    /**
     * @param head the statement up to and with {@code VALUES}
     * @param row  one row's values, with named parameters ({@code (:id, CAST(:input AS jsonb), ...)})
     * @param tail what follows the rows ({@code ON CONFLICT ...}), without parameters
     */
    MultiRowInsert(String head, String row, String tail) {
        if (PARAMETER.matcher(tail).find()) {
            throw new IllegalArgumentException("the tail is one for all rows, so it cannot take a row's parameter");
        }
        this.head = head;
        this.row = row;
        this.tail = tail;
        Matcher parameters = PARAMETER.matcher(row);
        while (parameters.find()) {
            names.add(parameters.group(1));
        }
    }

    /** Inserts {@code rows} (each with every parameter of the row), in their order. */
    void insert(JdbcOperations jdbc, List<MapSqlParameterSource> rows) {
        int from = 0;
        while (from < rows.size()) {
            List<MapSqlParameterSource> statementRows = rows.subList(from, from + statementSize(rows.size() - from));
            jdbc.update(sql(statementRows.size()), statement -> {
                int index = 1;
                for (MapSqlParameterSource one : statementRows) {
                    for (String name : names) {
                        StatementCreatorUtils.setParameterValue(statement, index++, one.getSqlType(name),
                                one.getTypeName(name), one.getValue(name));
                    }
                }
            });
            from += statementRows.size();
        }
    }

    /** How many of {@code left} rows the next statement takes: the largest power of two, at most {@link #MAX_ROWS}. */
    static int statementSize(int left) {
        return Integer.highestOneBit(Math.min(left, MAX_ROWS));
    }

    /** The statement for {@code count} rows, each row's parameters as {@code ?}, in the order they appear in it. */
    String sql(int count) {
        return sqlByRows.computeIfAbsent(count, n -> {
            String positional = PARAMETER.matcher(row).replaceAll("?");
            StringBuilder sql = new StringBuilder(head).append('\n');
            for (int i = 0; i < n; i++) {
                sql.append(i == 0 ? "" : ",\n").append(positional);
            }
            return sql.append('\n').append(tail).toString();
        });
    }
}
