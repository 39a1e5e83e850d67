package ai.mule.localkafka;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.server.metrics.KafkaMetricsGroup;

/**
 * Gives the local broker's per-request histograms (JMX {@code kafka.network:type=RequestMetrics}) uniform samples
 * instead of exponentially decaying ones.
 * <p>
 * Why. The broker updates eight to ten of these histograms for every request it answers. A decaying sample keeps its
 * values in a skip list ordered by a random priority, and on the C1-compiled broker of {@code ./mule up} and
 * {@code ./mule bench} those updates took about an eighth of the broker's CPU (JFR, issue 14). A uniform sample is an
 * array. The broker creates its histograms through Kafka's public metrics group, which returns a histogram already
 * registered under the same name; so creating them first, unbiased, is all it takes. Only this embedded broker is
 * affected: its histograms then describe every request since start rather than favour recent ones. Mule reads none of
 * them ({@code ./mule bench} counts requests from the broker's meters).
 */
final class BrokerRequestHistograms {

    private static final List<String> EVERY_REQUEST = List.of("RequestQueueTimeMs", "LocalTimeMs", "RemoteTimeMs",
            "ThrottleTimeMs", "ResponseQueueTimeMs", "ResponseSendTimeMs", "TotalTimeMs", "RequestBytes");
    private static final List<String> PRODUCE_AND_FETCH = List.of("MessageConversionsTimeMs", "TemporaryMemoryBytes");
    private static final Set<String> CONVERTING = Set.of("Produce", "Fetch", "FetchConsumer", "FetchFollower");

    private BrokerRequestHistograms() {
    }

    /** Must run before the broker starts in this JVM. */
    static void useUniformSamples() {
        KafkaMetricsGroup group = new KafkaMetricsGroup("kafka.network", "RequestMetrics");
        for (String request : requestNames()) {
            Map<String, String> tags = Map.of("request", request);
            EVERY_REQUEST.forEach(name -> group.newHistogram(name, false, tags));
            if (CONVERTING.contains(request)) {
                PRODUCE_AND_FETCH.forEach(name -> group.newHistogram(name, false, tags));
            }
        }
    }

    /** The names the broker gives its request metrics: each API's, and its own for fetches and verification. */
    static List<String> requestNames() {
        List<String> names = new ArrayList<>();
        for (ApiKeys api : ApiKeys.values()) {
            names.add(api.name);
        }
        names.addAll(List.of("FetchConsumer", "FetchFollower", "AddPartitionsToTxnVerification"));
        return names;
    }
}
