package ai.mule.schemas;

import org.apache.kafka.common.serialization.Serde;

/**
 * A Kafka topic with the serdes of its keys and values and the JSON Schema its values follow.
 * Every Mule topic is keyed by job id, so one job's messages stay ordered on one partition.
 */
public record Topic<K, V>(String name, Serde<K> keySerde, Serde<V> valueSerde, String schemaResource) {
}
