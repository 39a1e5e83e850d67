package ai.mule.gateway.secrets;

import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * At start-up, seals provider keys stored in plain text (by a gateway before encryption, or one run without a master
 * key): once a master key is set, no key stays readable in the database. Sealing twice is harmless: sealed values
 * are skipped, and each row is updated only if it still holds the plain text read.
 */
@Component
class PlaintextKeySealer implements ApplicationRunner {

    private static final Logger log = LoggerFactory.getLogger(PlaintextKeySealer.class);

    private final JdbcClient jdbc;
    private final ProviderSecrets secrets;

    PlaintextKeySealer(JdbcClient jdbc, ProviderSecrets secrets) {
        this.jdbc = jdbc;
        this.secrets = secrets;
    }

    @Override
    public void run(ApplicationArguments args) {
        if (secrets.enabled()) {
            int sealed = sealPlaintextKeys();
            if (sealed > 0) {
                log.info("sealed {} provider API keys that were stored in plain text", sealed);
            }
        }
    }

    int sealPlaintextKeys() {
        List<Row> rows = jdbc.sql("SELECT id, api_key FROM providers WHERE api_key IS NOT NULL AND api_key <> '' "
                        + "AND api_key NOT LIKE 'enc:v1:%'")
                .query((rs, n) -> new Row(rs.getObject("id", UUID.class), rs.getString("api_key"))).list();
        int sealed = 0;
        for (Row row : rows) {
            sealed += jdbc.sql("UPDATE providers SET api_key = ? WHERE id = ? AND api_key = ?")
                    .params(secrets.seal(row.key(), row.id()), row.id(), row.key()).update();
        }
        return sealed;
    }

    private record Row(UUID id, String key) {
    }
}
