package ai.mule.gateway.health;

import ai.mule.gateway.kafka.BackgroundLoop;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeConsumerGroupsOptions;
import org.apache.kafka.common.Node;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Whether the whole pipeline can run a job now: this gateway's background loops work (the outbox relay publishes
 * accepted jobs, the events listener reads the answers synchronous calls wait for, the ingress consumer runs),
 * PostgreSQL answers, Kafka answers, and every required consumer group (orchestrator, status writer, runners) has
 * a live member. The dependencies' answer is cached for {@code cache-ttl}; the loops' state is in memory and read
 * on every check, so a loop that just died is reported at once.
 */
@Component
class Readiness {

    private final JdbcClient jdbc;
    private final Admin admin;
    private final HealthProperties properties;
    private final List<BackgroundLoop> loops;
    private volatile Result cached;

    Readiness(JdbcClient jdbc, KafkaAdmin admin, HealthProperties properties, List<BackgroundLoop> loops) {
        this.jdbc = jdbc;
        this.admin = admin.client();
        this.properties = properties;
        this.loops = List.copyOf(loops);
    }

    Result check() {
        Result dependencies = dependencies();
        List<String> problems = new ArrayList<>();
        for (BackgroundLoop loop : loops) {
            loop.problem().ifPresent(problems::add);
        }
        if (problems.isEmpty()) {
            return dependencies;
        }
        problems.addAll(dependencies.problems());
        return new Result(problems, dependencies.checkedAt());
    }

    private Result dependencies() {
        Result result = cached;
        if (result != null && System.nanoTime() - result.checkedAt() < properties.cacheTtl().toNanos()) {
            return result;
        }
        synchronized (this) {
            result = cached;
            if (result == null || System.nanoTime() - result.checkedAt() >= properties.cacheTtl().toNanos()) {
                result = new Result(problems(), System.nanoTime());
                cached = result;
            }
            return result;
        }
    }

    private List<String> problems() {
        List<String> problems = new ArrayList<>();
        try {
            jdbc.sql("SELECT 1").query(Integer.class).single();
        } catch (RuntimeException e) {
            problems.add("postgresql: " + rootMessage(e));
        }
        if (!kafkaAnswers(problems)) {
            return problems;
        }
        List<String> groups = properties.requiredGroups();
        if (!groups.isEmpty()) {
            checkGroups(groups, problems);
        }
        return problems;
    }

    private boolean kafkaAnswers(List<String> problems) {
        long timeout = properties.timeout().toMillis();
        try {
            Collection<Node> nodes = admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) timeout))
                    .nodes().get(timeout, TimeUnit.MILLISECONDS);
            if (nodes.isEmpty()) {
                problems.add("kafka: the cluster reports no brokers");
                return false;
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            problems.add("kafka: interrupted");
        } catch (ExecutionException | TimeoutException e) {
            problems.add("kafka: not reachable (" + rootMessage(e) + ")");
        }
        return false;
    }

    private void checkGroups(List<String> groups, List<String> problems) {
        long timeout = properties.timeout().toMillis();
        try {
            Map<String, ConsumerGroupDescription> described = admin
                    .describeConsumerGroups(groups, new DescribeConsumerGroupsOptions().timeoutMs((int) timeout))
                    .all().get(timeout, TimeUnit.MILLISECONDS);
            for (String group : groups) {
                ConsumerGroupDescription description = described.get(group);
                if (description == null || description.members().isEmpty()) {
                    problems.add("consumer group " + group + " has no active member (is that service running?)");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            problems.add("kafka: interrupted");
        } catch (ExecutionException | TimeoutException e) {
            problems.add("kafka: cannot describe consumer groups (" + rootMessage(e) + ")");
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }

    record Result(List<String> problems, long checkedAt) {

        boolean ready() {
            return problems.isEmpty();
        }
    }
}
