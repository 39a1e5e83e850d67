package ai.mule.kafka;

import ai.mule.schemas.Topic;
import ai.mule.schemas.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the Mule topics that are missing, with the configured partitions, replication factor and
 * {@code min.insync.replicas}. Every service does this at start (unless told not to), so that none depends on
 * another having started first; creating a topic that another service created a moment earlier is not an error.
 * Existing topics are left as they are: changing partitions of a live topic would move jobs between partitions.
 */
public final class TopicProvisioner {

    private static final Logger log = LoggerFactory.getLogger(TopicProvisioner.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final KafkaClientConfig config;

    public TopicProvisioner(KafkaClientConfig config) {
        this.config = config;
    }

    /** Creates the missing ones among every Mule topic; answers the names it created. */
    public List<String> ensureMuleTopics() {
        return ensure(Topics.all().stream().map(Topic::name).toList());
    }

    public List<String> ensure(List<String> names) {
        KafkaProperties settings = config.properties();
        try (Admin admin = Admin.create(config.admin(Map.of(AdminClientConfig.CLIENT_ID_CONFIG, "mule-topics",
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis())))) {
            Set<String> existing = admin.listTopics().names().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            List<NewTopic> missing = names.stream().filter(name -> !existing.contains(name))
                    .map(name -> new NewTopic(name, settings.partitions(), settings.replicationFactor())
                            .configs(Map.of("min.insync.replicas", String.valueOf(settings.minInsyncReplicas()))))
                    .toList();
            List<String> created = new ArrayList<>();
            for (var creation : admin.createTopics(missing).values().entrySet()) {
                try {
                    creation.getValue().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                    created.add(creation.getKey());
                    log.info("Created topic {} ({} partitions, replication factor {}, min.insync.replicas {})",
                            creation.getKey(), settings.partitions(), settings.replicationFactor(),
                            settings.minInsyncReplicas());
                } catch (ExecutionException e) {
                    // another service (or a moment-old listing) got there first: the topic is there, as wanted
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
            return created;
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot create the Mule topics on " + config.bootstrapServers() + ": "
                    + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating the Mule topics", e);
        }
    }
}
