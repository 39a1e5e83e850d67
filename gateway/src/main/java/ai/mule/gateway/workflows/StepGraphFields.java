package ai.mule.gateway.workflows;

import ai.mule.gateway.web.Json;
import ai.mule.schemas.JsonSerde;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/**
 * The graph fields of one workflow step as the {@code workflow_steps} columns hold them (V8), all optional: a step
 * without any of them runs after the previous one, as in Mule v2.
 *
 * @param name       the step's own name; null = {@code step_<step_order>} ({@link #nameOr})
 * @param dependsOn  names of the steps it waits for; null = the previous step in step_order, empty = a root
 * @param joinPolicy {@code fail_fast} or {@code wait_all}; null = fail_fast
 * @param when       a CEL condition; null = always
 * @param forEach    {@code {"items", "concurrency", "on_item_failure"}} with defaults filled in; null = once
 * @param fallback   the step run instead when this one failed for good; null = none
 */
record StepGraphFields(String name, List<String> dependsOn, String joinPolicy, String when, ObjectNode forEach,
                       ObjectNode fallback) {

    static final StepGraphFields NONE = new StepGraphFields(null, null, null, null, null, null);
    static final String COLUMNS = "name, depends_on, join_policy, when_condition, for_each, fallback";
    static final String PLACEHOLDERS = "?, CAST(? AS JSONB), ?, ?, CAST(? AS JSONB), CAST(? AS JSONB)";
    static final String ASSIGNMENTS = "name = ?, depends_on = CAST(? AS JSONB), join_policy = ?, when_condition = ?, "
            + "for_each = CAST(? AS JSONB), fallback = CAST(? AS JSONB)";

    /** The name references use: the step's own, else {@code step_<step_order>}. */
    String nameOr(int stepOrder) {
        return name != null ? name : "step_" + stepOrder;
    }

    /** Whether the step uses anything beyond Mule v2's ordered list (a name alone changes nothing). */
    boolean usesGraph() {
        return dependsOn != null || joinPolicy != null || when != null || forEach != null || fallback != null;
    }

    Object[] values() {
        return new Object[] {name, dependsOn == null ? null : Json.write(JsonSerde.mapper().valueToTree(dependsOn)),
                joinPolicy, when, forEach == null ? null : Json.write(forEach),
                fallback == null ? null : Json.write(fallback)};
    }

    static StepGraphFields read(ResultSet rs) throws SQLException {
        JsonNode dependsOn = Json.column(rs, "depends_on");
        return new StepGraphFields(rs.getString("name"),
                dependsOn == null || dependsOn.isNull() ? null
                        : JsonSerde.mapper().convertValue(dependsOn, new TypeReference<List<String>>() { }),
                rs.getString("join_policy"), rs.getString("when_condition"),
                Json.column(rs, "for_each") instanceof ObjectNode forEach ? forEach : null,
                Json.column(rs, "fallback") instanceof ObjectNode fallback ? fallback : null);
    }
}
