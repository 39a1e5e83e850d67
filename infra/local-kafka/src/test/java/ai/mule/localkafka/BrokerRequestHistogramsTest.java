package ai.mule.localkafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.yammer.metrics.core.Histogram;
import com.yammer.metrics.core.MetricName;
import java.lang.reflect.Field;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.network.metrics.RequestMetrics;
import org.apache.kafka.server.metrics.KafkaYammerMetrics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BrokerRequestHistogramsTest {

    @AfterEach
    void removeTheMetrics() {
        // every metric the broker's request channels made (meters and histograms alike)
        KafkaYammerMetrics.defaultRegistry().allMetrics().keySet().stream()
                .filter(name -> "RequestMetrics".equals(name.getType()))
                .toList()
                .forEach(KafkaYammerMetrics.defaultRegistry()::removeMetric);
    }

    @Test
    void theBrokersRequestMetricsFindEveryHistogramAlreadyThereAndUniform() throws Exception {
        BrokerRequestHistograms.useUniformSamples();
        Map<MetricName, Histogram> before = requestHistograms();

        // what the broker's request channels create, one per kind of request they answer
        for (String request : BrokerRequestHistograms.requestNames()) {
            new RequestMetrics(request);
        }
        Map<MetricName, Histogram> after = requestHistograms();

        // no histogram was created by the broker's code: it found ours under every name it uses
        assertThat(after.keySet()).containsExactlyInAnyOrderElementsOf(before.keySet());
        assertThat(after.keySet()).extracting(MetricName::getMBeanName)
                .contains("kafka.network:type=RequestMetrics,name=TotalTimeMs,request=Produce",
                        "kafka.network:type=RequestMetrics,name=TemporaryMemoryBytes,request=FetchConsumer",
                        "kafka.network:type=RequestMetrics,name=LocalTimeMs,request=AddPartitionsToTxnVerification");
        Map<String, Long> samples = after.values().stream()
                .collect(Collectors.groupingBy(BrokerRequestHistogramsTest::sampleKind, Collectors.counting()));
        assertThat(samples).containsOnlyKeys("UniformSample");
    }

    @Test
    void withoutItTheBrokersHistogramsDecay() throws Exception {
        new RequestMetrics("Produce");

        assertThat(requestHistograms().values()).isNotEmpty()
                .allSatisfy(h -> assertThat(sampleKind(h)).isEqualTo("ExponentiallyDecayingSample"));
    }

    private static Map<MetricName, Histogram> requestHistograms() {
        return KafkaYammerMetrics.defaultRegistry().allMetrics().entrySet().stream()
                .filter(e -> "RequestMetrics".equals(e.getKey().getType()) && e.getValue() instanceof Histogram)
                .collect(Collectors.toMap(Map.Entry::getKey, e -> (Histogram) e.getValue()));
    }

    private static String sampleKind(Histogram histogram) {
        try {
            Field sample = Histogram.class.getDeclaredField("sample");
            sample.setAccessible(true);
            return sample.get(histogram).getClass().getSimpleName();
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }
}
