package ai.mule.gateway.ingress;

import static ai.mule.gateway.Http.map;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.mule.gateway.IntegrationTestBase;
import ai.mule.gateway.TestApi;
import ai.mule.schemas.JobIngressRequest;
import ai.mule.schemas.JobRequest;
import ai.mule.schemas.JsonSerde;
import ai.mule.schemas.Topics;
import ai.mule.testkit.TestKafka;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** Jobs from {@code mule.jobs.ingress}: valid ones become jobs exactly once, invalid ones go to the DLQ. */
class JobIngressIT extends IntegrationTestBase {

    private static final Duration PATIENCE = Duration.ofSeconds(40);

    @Test
    void aThousandRequestsWithDuplicatesAndTenPercentInvalidOnesBecomeJobsExactlyOnce() throws Exception {
        String workflow = workflowWithOneStep();
        String run = UUID.randomUUID().toString().substring(0, 8);
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
        Map<String, String> invalidReasons = new HashMap<>();
        int uniqueKeys = 0;
        for (int i = 0; i < 1000; i++) {
            String key = run + "-" + i;
            if (i % 10 == 9) {
                // 100 invalid ones, of four kinds
                String[] bad = {"{not json", json(map("input", map("prompt", "no workflow"))),
                        json(map("workflow", "no-such-workflow-" + run, "input", map("prompt", "x"))),
                        json(map("workflow", workflow, "input", "not an object"))};
                String[] reasons = {"not JSON", "workflow is required", "unknown workflow", "input must be"};
                records.add(new ProducerRecord<>(Topics.JOB_INGRESS.name(), key, bad[i / 10 % 4]
                        .getBytes(StandardCharsets.UTF_8)));
                invalidReasons.put(key, reasons[i / 10 % 4]);
            } else if (i % 10 == 8) {
                // 100 duplicates: the key of the request before, sent again
                records.add(ingress(key, workflow, run + "-" + (i - 1), i - 1));
            } else {
                records.add(ingress(key, workflow, run + "-" + i, i));
                uniqueKeys++;
            }
        }
        try (KafkaProducer<String, byte[]> producer = producer()) {
            for (ProducerRecord<String, byte[]> record : records) {
                producer.send(record);
            }
        }
        int expectedJobs = uniqueKeys;

        await().atMost(PATIENCE).pollInterval(Duration.ofMillis(250)).until(() -> kafkaJobs(run) >= expectedJobs);
        Map<String, ConsumerRecord<String, byte[]>> deadLetters = deadLetters(run, invalidReasons.size());

        assertThat(expectedJobs).isEqualTo(800);
        assertThat(kafkaJobs(run)).as("one job per idempotency key, duplicates made none").isEqualTo(800);
        assertThat(deadLetters).hasSize(100);
        deadLetters.forEach((key, record) -> assertThat(reason(record)).as(key).contains(invalidReasons.get(key)));
        // the jobs are jobs like HTTP ones: in the API with their source, with their request on its way to run
        Map<String, Object> one = jdbc.sql("SELECT id::text AS id, status, source, input_data->>'prompt' AS prompt "
                + "FROM jobs WHERE idempotency_key = ?").param(run + "-0").query().singleRow();
        assertThat(one).containsEntry("source", "kafka").containsEntry("prompt", "hello 0");
        String jobId = (String) one.get("id");
        assertThat(http.get("/api/v1/jobs/" + jobId).json().at("/data/source").asText()).isEqualTo("kafka");
        assertThat(TestKafka.read(Topics.JOB_REQUESTS, jobId, 1, PATIENCE)).singleElement()
                .satisfies(request -> assertThat(request.workflowName()).isEqualTo(workflow));
    }

    @Test
    void aRequestWithoutKeyIsAJobAndItsReplyTopicTravelsWithIt() throws Exception {
        String workflow = workflowWithOneStep();
        String replyTopic = TestApi.unique("it.replies");
        TestKafka.createTopics(replyTopic);
        String marker = UUID.randomUUID().toString();

        try (KafkaProducer<String, byte[]> producer = producer()) {
            producer.send(new ProducerRecord<>(Topics.JOB_INGRESS.name(), null, json(map("workflow", workflow,
                    "input", map("prompt", marker), "reply_topic", replyTopic)).getBytes(StandardCharsets.UTF_8))).get();
            producer.send(new ProducerRecord<>(Topics.JOB_INGRESS.name(), marker, json(map("workflow", workflow,
                    "reply_topic", "it.no-such-topic-" + marker)).getBytes(StandardCharsets.UTF_8))).get();
        }

        await().atMost(PATIENCE).until(() -> jdbc.sql("SELECT count(*) FROM jobs WHERE input_data->>'prompt' = ?")
                .param(marker).query(Long.class).single() == 1);
        String jobId = jdbc.sql("SELECT id::text FROM jobs WHERE input_data->>'prompt' = ?").param(marker)
                .query(String.class).single();
        JobRequest request = TestKafka.read(Topics.JOB_REQUESTS, jobId, 1, PATIENCE).get(0);
        assertThat(request.replyTopic()).isEqualTo(replyTopic);
        assertThat(request.deadline()).isAfter(request.acceptedAt());
        ConsumerRecord<String, byte[]> rejected = deadLetters(marker, 1).get(marker);
        assertThat(reason(rejected)).contains("does not exist");
    }

    @Test
    void recordsOverALimitGoToTheDeadLetterTopicNamingTheLimitAndTheNextRecordIsAJob() throws Exception {
        String workflow = workflowWithOneStep();
        String run = UUID.randomUUID().toString().substring(0, 8);
        String deep = "{\"workflow\": \"" + workflow + "\", \"input\": {\"a\": " + "[".repeat(100)
                + "]".repeat(100) + "}}";
        Map<String, String> bad = new HashMap<>();
        bad.put(run + "-deep", deep);
        bad.put(run + "-large", json(map("workflow", workflow, "input", map("text", "x".repeat(300_000)))));
        bad.put(run + "-nul", json(map("workflow", workflow, "input", map("text", "a\u0000b"))));
        // written as JSON's escape: a Java string with a lone surrogate would not survive encoding as UTF-8
        bad.put(run + "-surrogate", "{\"workflow\": \"" + workflow + "\", \"input\": {\"list\": [\"ok\", \"\\udc00\"]}}");
        bad.put(run + "-name", json(map("workflow", "flow\u0000", "input", map())));
        Map<String, String> reasons = Map.of(run + "-deep", "nests deeper than the limit of 64 levels (mule.limits.max-json-depth)",
                run + "-large", "mule.limits.max-job-input-bytes",
                run + "-nul", "the job input $.text holds a NUL character",
                run + "-surrogate", "the job input $.list[1] holds an unpaired UTF-16 surrogate",
                run + "-name", "workflow holds a NUL character");

        try (KafkaProducer<String, byte[]> producer = producer()) {
            for (Map.Entry<String, String> record : bad.entrySet()) {
                producer.send(new ProducerRecord<>(Topics.JOB_INGRESS.name(), record.getKey(),
                        record.getValue().getBytes(StandardCharsets.UTF_8))).get();
            }
            producer.send(ingress(run + "-good", workflow, run + "-good", 1)).get();
        }

        await().atMost(PATIENCE).until(() -> kafkaJobs(run) == 1);
        Map<String, ConsumerRecord<String, byte[]>> deadLetters = deadLetters(run, bad.size());
        assertThat(deadLetters.keySet()).containsExactlyInAnyOrderElementsOf(bad.keySet());
        deadLetters.forEach((key, record) -> assertThat(reason(record)).as(key).contains(reasons.get(key)));
        assertThat(jdbc.sql("SELECT count(*) FROM jobs WHERE workflow_name = ?").param(workflow)
                .query(Long.class).single()).as("no refused record became a job").isEqualTo(1);
    }

    private String workflowWithOneStep() {
        JsonNodeHolder holder = new JsonNodeHolder(api.workflow());
        String moduleId = api.module("greet.wasm", "").get("id").asText();
        api.wasmStep(holder.id(), moduleId, map());
        return holder.name();
    }

    private record JsonNodeHolder(com.fasterxml.jackson.databind.JsonNode node) {
        String id() {
            return node.get("id").asText();
        }

        String name() {
            return node.get("name").asText();
        }
    }

    private long kafkaJobs(String run) {
        return jdbc.sql("SELECT count(*) FROM jobs WHERE source = 'kafka' AND idempotency_key LIKE ?")
                .param(run + "-%").query(Long.class).single();
    }

    private static ProducerRecord<String, byte[]> ingress(String recordKey, String workflow, String idempotencyKey,
                                                          int n) {
        ObjectNode input = JsonSerde.mapper().createObjectNode().put("prompt", "hello " + n);
        byte[] value = Topics.JOB_INGRESS.valueSerde().serializer().serialize(Topics.JOB_INGRESS.name(),
                JobIngressRequest.of(workflow, input, idempotencyKey, null));
        return new ProducerRecord<>(Topics.JOB_INGRESS.name(), recordKey, value);
    }

    /** The dead letters whose record key starts with {@code prefix}, by key. */
    private static Map<String, ConsumerRecord<String, byte[]>> deadLetters(String prefix, int expected) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "it-dlq-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        Map<String, ConsumerRecord<String, byte[]>> seen = new HashMap<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(Topics.JOB_INGRESS_DLQ.name()));
            long deadline = System.nanoTime() + PATIENCE.toNanos();
            while (seen.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.key() != null && record.key().startsWith(prefix)) {
                        assertThat(seen.put(record.key(), record)).as("dead-lettered once: " + record.key()).isNull();
                    }
                }
            }
            // a little longer: a second dead letter of the same record would show up now
            for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                if (record.key() != null && record.key().startsWith(prefix)) {
                    assertThat(seen.put(record.key(), record)).as("dead-lettered once: " + record.key()).isNull();
                }
            }
        }
        return seen;
    }

    private static String reason(ConsumerRecord<String, byte[]> record) {
        Header header = record.headers().lastHeader(Topics.DLQ_REASON_HEADER);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private static KafkaProducer<String, byte[]> producer() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers());
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    private static String json(Object value) {
        try {
            return JsonSerde.mapper().writeValueAsString(value);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
