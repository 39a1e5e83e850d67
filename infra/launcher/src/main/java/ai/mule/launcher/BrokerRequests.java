package ai.mule.launcher;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * How many requests of each kind the local Kafka broker has handled, from its own metrics
 * ({@code kafka.network:type=RequestMetrics,name=RequestsPerSec}, in the launcher's JVM, which runs the broker).
 * {@code ./mule bench} prints them per job: each request costs the broker about the same CPU, so the count says where
 * its share of a job goes (a sync call from one client made 35 requests, an async job at saturation 3.5: issue 14).
 */
final class BrokerRequests {

    /** {@code Fetch} counts consumers' fetches and followers' together; {@code FetchConsumer} is the consumers' share. */
    private static final String DOUBLE_COUNTED = "Fetch";

    private BrokerRequests() {
    }

    /** Requests handled so far, by kind (Produce, FetchConsumer, EndTxn, ...); empty if the broker runs elsewhere. */
    static Map<String, Long> handled() {
        Map<String, Long> counts = new TreeMap<>();
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        try {
            for (ObjectName name : server.queryNames(
                    new ObjectName("kafka.network:type=RequestMetrics,name=RequestsPerSec,*"), null)) {
                String kind = name.getKeyProperty("request");
                if (!DOUBLE_COUNTED.equals(kind)) {
                    counts.merge(kind, ((Number) server.getAttribute(name, "Count")).longValue(), Long::sum);
                }
            }
        } catch (JMException e) {
            return Map.of();
        }
        return counts;
    }

    /** "35.3: FetchConsumer 11.2, Produce 9.3, ..." per unit of work between two readings, the most frequent first. */
    static String perUnit(Map<String, Long> before, Map<String, Long> after, int units) {
        List<Map.Entry<String, Long>> made = new ArrayList<>();
        after.forEach((kind, count) -> {
            long since = count - before.getOrDefault(kind, 0L);
            if (since > 0) {
                made.add(Map.entry(kind, since));
            }
        });
        if (made.isEmpty()) {
            return "unknown (the broker is not in this JVM)";
        }
        made.sort(Map.Entry.<String, Long>comparingByValue().reversed());
        long total = made.stream().mapToLong(Map.Entry::getValue).sum();
        List<String> kinds = made.stream()
                .map(e -> String.format("%s %.1f", e.getKey(), (double) e.getValue() / units))
                .toList();
        return String.format("%.1f: ", (double) total / units) + String.join(", ", kinds);
    }
}
