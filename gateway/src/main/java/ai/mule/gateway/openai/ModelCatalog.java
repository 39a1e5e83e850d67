package ai.mule.gateway.openai;

import java.util.ArrayList;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/** The chat models Mule offers: one per agent, two per workflow (waiting and async). */
@Component
class ModelCatalog {

    private final JdbcClient jdbc;

    ModelCatalog(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    List<Model> models() {
        List<Model> models = new ArrayList<>();
        jdbc.sql("SELECT 'agent' AS kind, name, created_at FROM agents "
                        + "UNION ALL SELECT 'workflow', name, created_at FROM workflows ORDER BY 1, 2")
                .query(rs -> {
                    String name = rs.getString("name");
                    long created = rs.getTimestamp("created_at").toInstant().getEpochSecond();
                    if ("agent".equals(rs.getString("kind"))) {
                        models.add(Model.of(ModelRef.Kind.AGENT.prefix + name, created));
                    } else {
                        models.add(Model.of(ModelRef.Kind.WORKFLOW.prefix + name, created));
                        models.add(Model.of(ModelRef.Kind.ASYNC_WORKFLOW.prefix + name, created));
                    }
                });
        return models;
    }

    /** OpenAI's model object. */
    record Model(String id, String object, long created, String ownedBy) {

        static Model of(String id, long created) {
            return new Model(id, "model", created, "mule");
        }
    }
}
