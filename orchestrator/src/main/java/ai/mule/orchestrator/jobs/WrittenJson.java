package ai.mule.orchestrator.jobs;

import ai.mule.schemas.JsonSerde;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.util.IdentityHashMap;
import java.util.Map;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The JSON of the records a transition writes, made once. {@link RecordCheck} has to write every record to measure it
 * before anything is forwarded; the bytes are kept here, and the sinks' and the state store's serializers
 * ({@link #serde}) send those same bytes instead of writing the record a second time. Measuring was 5% of the
 * orchestrator's CPU at a steady 100 jobs/s (issue 14).
 * <p>
 * Kept by identity, for the thread that measured: Streams serializes a forwarded record (and a stored state) on the
 * stream thread, within {@code forward} (and {@code put}), so the bytes are looked up by the same thread before
 * {@link #forget} drops them at the end of the transition. The records are immutable, so the bytes still say what the
 * object does. An object not measured here (an equal copy, a record from elsewhere) is written as usual.
 */
final class WrittenJson {

    private final ThreadLocal<Map<Object, byte[]>> kept = ThreadLocal.withInitial(IdentityHashMap::new);

    /**
     * {@code value} as JSON, as {@link JsonSerde} writes it, kept until {@link #forget}.
     *
     * @throws IllegalArgumentException if it cannot be written (e.g. nested deeper than Jackson writes)
     */
    byte[] write(Object value) {
        byte[] bytes;
        try {
            bytes = JsonSerde.mapper().writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the value cannot be written as JSON: " + e.getOriginalMessage(), e);
        }
        kept.get().put(value, bytes);
        return bytes;
    }

    /** The bytes {@link #write} made of this very object on this thread since the last {@link #forget}, or null. */
    byte[] written(Object value) {
        return kept.get().get(value);
    }

    /** Drops what this thread kept: the transition it measured has been written (or given up). */
    void forget() {
        Map<Object, byte[]> map = kept.get();
        if (!map.isEmpty()) {
            map.clear();
        }
    }

    /** {@code serde}, its serializer first sending what {@link #write} kept of the object. */
    <T> Serde<T> serde(Serde<T> serde) {
        return Serdes.serdeFrom(serializer(serde.serializer()), serde.deserializer());
    }

    /** {@code serializer}, used only for an object this thread has not kept. */
    <T> Serializer<T> serializer(Serializer<T> serializer) {
        return (topic, value) -> {
            byte[] bytes = value == null ? null : written(value);
            return bytes != null ? bytes : serializer.serialize(topic, value);
        };
    }
}
