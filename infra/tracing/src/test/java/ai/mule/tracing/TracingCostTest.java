package ai.mule.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.ThreadMXBean;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.lang.management.ManagementFactory;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

/**
 * What tracing costs on the orchestrator's and the runners' hot path (a span per record, its context carried on):
 * off, nothing at all; on, a few microseconds and the span's objects. Printed, so the numbers are in the build log.
 */
class TracingCostTest {

    private static final int RECORDS = 200_000;
    private static final ThreadMXBean THREADS = (ThreadMXBean) ManagementFactory.getThreadMXBean();

    @Test
    void offTheRecordHookAllocatesNothing() {
        Tracing off = Tracing.off();
        Headers in = TraceContext.headers("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", null);
        Headers out = new RecordHeaders();
        handle(off, in, out, RECORDS); // warm up

        long before = THREADS.getCurrentThreadAllocatedBytes();
        long started = System.nanoTime();
        handle(off, in, out, RECORDS);
        long nanos = System.nanoTime() - started;
        long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;

        System.out.printf("tracing off: %.1f ns and %.2f bytes per record%n", (double) nanos / RECORDS,
                (double) allocated / RECORDS);
        assertThat(allocated).as("bytes allocated by %d records", RECORDS).isLessThan(RECORDS / 100);
    }

    @Test
    void onItCostsMicrosecondsPerRecord() {
        InMemorySpanExporter spans = InMemorySpanExporter.create();
        try (OpenTelemetrySdk sdk = OpenTelemetrySdk.builder().setTracerProvider(SdkTracerProvider.builder()
                .addSpanProcessor(SimpleSpanProcessor.create(spans)).build()).build()) {
            Tracing on = Tracing.of(sdk);
            Headers in = TraceContext.headers("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", null);
            handle(on, in, new RecordHeaders(), 20_000);
            spans.reset();

            long before = THREADS.getCurrentThreadAllocatedBytes();
            long started = System.nanoTime();
            handle(on, in, new RecordHeaders(), 20_000);
            long nanos = System.nanoTime() - started;
            long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;

            System.out.printf("tracing on (in-memory exporter): %.1f µs and %d bytes per record%n",
                    nanos / 20_000 / 1000.0, allocated / 20_000);
            assertThat(spans.getFinishedSpanItems()).hasSize(20_000);
        }
    }

    private static void handle(Tracing tracing, Headers in, Headers out, int records) {
        for (int i = 0; i < records; i++) {
            try (RecordSpan span = tracing.onRecord("orchestrator StepFinished", "mule.steps.results", in, "job")) {
                span.attribute(Tracing.STEP_INDEX, i);
                span.carryOn(out);
            }
        }
    }
}
