package ai.mule.launcher;

import ai.mule.schemas.StepResult;
import ai.mule.schemas.Topics;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Where a job's time goes, hop by hop, from the timestamps the pipeline already records: the job row
 * ({@code created_at} when the gateway inserted it, {@code completed_at} when the orchestrator ended it,
 * {@code updated_at} when the status writer stored that), each step row ({@code started_at} when the orchestrator
 * emitted the command, {@code completed_at} when it applied the result, {@code duration_micros} the runner's own
 * execution), the Kafka timestamp of the job's request (when the outbox relay sent it) and of each step result (when
 * the runner sent it) with the result's {@code finished_at}, and, for sync calls, when the client sent the call and
 * got its answer. Every process runs on this machine, so all these clocks are one clock.
 * <p>
 * A command that carried the steps after its own (WASM steps in a line) has one result record for them all: the
 * steps it carried have no command hop, but the time from the step before them to their start, and the record's
 * trip (runner done to sent, sent to applied) is counted once, after its last step.
 */
final class Journeys {

    /** When a sync call left the client and when its answer arrived, by job id. */
    record ClientTimes(Instant sent, Instant answered) {
    }

    static final String HTTP_IN = "client -> job row inserted (HTTP, plan, PostgreSQL)";
    static final String RELAY = "job row -> request on Kafka (commit, outbox relay)";
    static final String ORCHESTRATOR_IN = "request on Kafka -> first command (orchestrator)";
    static final String DISPATCH = "command -> runner starts it (hop, runner poll)";
    static final String CARRIED = "a step done -> the next its command carried starts";
    static final String EXECUTE = "runner executes the step";
    static final String PUBLISH = "runner done -> result sent";
    static final String RESULT_BACK = "result sent -> orchestrator applied it";
    static final String ANSWER = "job ended -> client has the answer (commit, listener)";
    static final String STATUS_ROW = "job ended -> job row completed (commit, status writer)";

    private final StackConfig config;

    Journeys(StackConfig config) {
        this.config = config;
    }

    /** The hops, in the order a job passes them; each holds the samples of the given jobs. */
    Map<String, Latencies> breakdown(Collection<String> jobIds, Map<String, ClientTimes> clientTimes) throws Exception {
        Set<String> wanted = Set.copyOf(jobIds);
        Map<String, Long> requestSent = new HashMap<>();
        Map<String, StepResult> results = new HashMap<>();
        Map<String, Long> resultSent = new HashMap<>();
        // a carried step's key -> when the step before it in the same record finished
        Map<String, Instant> carriedAfter = new HashMap<>();
        Set<String> lastOfRecord = new HashSet<>();
        readTopic(Topics.JOB_REQUESTS.name(), wanted, record -> requestSent.putIfAbsent(record.key(), sentMicros(record)));
        readTopic(Topics.STEP_RESULTS.name(), wanted, record -> {
            StepResult head = Topics.STEP_RESULTS.valueSerde().deserializer().deserialize(record.topic(), record.value());
            if (head == null || head.attempt() != 1 || results.containsKey(head.jobId() + "/" + head.stepIndex())) {
                return;
            }
            long sent = sentMicros(record);
            StepResult before = null;
            for (StepResult result : concat(head, head.carried())) {
                String key = result.jobId() + "/" + result.stepIndex();
                results.putIfAbsent(key, result);
                resultSent.putIfAbsent(key, sent);
                if (before != null) {
                    carriedAfter.put(key, before.finishedAt());
                }
                before = result;
            }
            lastOfRecord.add(before.jobId() + "/" + before.stepIndex());
        });

        Map<String, Latencies> hops = new LinkedHashMap<>();
        for (String hop : List.of(HTTP_IN, RELAY, ORCHESTRATOR_IN, DISPATCH, CARRIED, EXECUTE, PUBLISH, RESULT_BACK,
                ANSWER, STATUS_ROW)) {
            hops.put(hop, new Latencies());
        }
        String jobsSql = "SELECT id::text, " + micros("created_at") + ", " + micros("completed_at") + ", "
                + micros("updated_at") + " FROM jobs WHERE id = ANY (?::uuid[]) AND status = 'completed'";
        String stepsSql = "SELECT job_id::text, step_index, " + micros("started_at") + ", " + micros("completed_at")
                + ", duration_micros FROM job_steps WHERE job_id = ANY (?::uuid[]) AND status = 'completed' AND attempt = 1";
        try (Connection db = LocalPostgres.connect(config)) {
            Map<String, Long> firstCommand = new HashMap<>();
            forEachRow(db, stepsSql, jobIds, rs -> {
                String jobId = rs.getString(1);
                int step = rs.getInt(2);
                long commandAt = rs.getLong(3);
                long appliedAt = rs.getLong(4);
                long execution = rs.getLong(5);
                if (step == 0) {
                    firstCommand.put(jobId, commandAt);
                }
                String key = jobId + "/" + step;
                StepResult result = results.get(key);
                if (result == null || result.finishedAt() == null) {
                    return;
                }
                long finished = epochMicros(result.finishedAt());
                Instant previous = carriedAfter.get(key);
                if (previous == null) {
                    add(hops, DISPATCH, finished - execution - commandAt);
                } else {
                    add(hops, CARRIED, finished - execution - epochMicros(previous));
                }
                add(hops, EXECUTE, execution);
                if (lastOfRecord.contains(key)) {
                    long sent = resultSent.get(key);
                    add(hops, PUBLISH, sent - finished);
                    add(hops, RESULT_BACK, appliedAt - sent);
                }
            });
            forEachRow(db, jobsSql, jobIds, rs -> {
                String jobId = rs.getString(1);
                long created = rs.getLong(2);
                long ended = rs.getLong(3);
                Long relayed = requestSent.get(jobId);
                Long started = firstCommand.get(jobId);
                if (relayed != null) {
                    add(hops, RELAY, relayed - created);
                    if (started != null) {
                        add(hops, ORCHESTRATOR_IN, started - relayed);
                    }
                }
                add(hops, STATUS_ROW, rs.getLong(4) - ended);
                ClientTimes client = clientTimes.get(jobId);
                if (client != null) {
                    add(hops, HTTP_IN, created - epochMicros(client.sent()));
                    add(hops, ANSWER, epochMicros(client.answered()) - ended);
                }
            });
        }
        return hops;
    }

    private static List<StepResult> concat(StepResult head, List<StepResult> carried) {
        List<StepResult> all = new ArrayList<>(1 + carried.size());
        all.add(head);
        all.addAll(carried);
        return all;
    }

    /** One row of a query's result. */
    @FunctionalInterface
    private interface Row {
        void read(ResultSet rs) throws SQLException;
    }

    /** Runs {@code sql}, whose one parameter is the array of job ids, and reads each row of its result. */
    private static void forEachRow(Connection db, String sql, Collection<String> jobIds, Row row) throws SQLException {
        try (PreparedStatement query = db.prepareStatement(sql)) {
            query.setArray(1, db.createArrayOf("text", jobIds.toArray()));
            try (ResultSet rs = query.executeQuery()) {
                while (rs.next()) {
                    row.read(rs);
                }
            }
        }
    }

    private static void add(Map<String, Latencies> hops, String hop, long micros) {
        hops.get(hop).add(micros * 1_000);
    }

    private static String micros(String column) {
        return "(EXTRACT(EPOCH FROM " + column + ") * 1000000)::bigint";
    }

    /**
     * When the producer sent the record, in microseconds: Kafka stamps it in whole milliseconds, cut down, so the
     * moment is on average half a millisecond after its stamp. Taken as the stamp, it moved 0.5 ms from the hop
     * after the send to the one before (the runner's "done -> result sent" read -0.5 ms p50).
     */
    private static long sentMicros(ConsumerRecord<String, byte[]> record) {
        return record.timestamp() * 1000 + 500;
    }

    private static long epochMicros(Instant at) {
        return at.getEpochSecond() * 1_000_000 + at.getNano() / 1_000;
    }

    /** Reads a whole topic from its beginning to its current end, handing over the records of the wanted jobs. */
    private void readTopic(String topic, Set<String> wanted, Consumer<ConsumerRecord<String, byte[]>> use) {
        Map<String, Object> settings = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(settings, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            consumer.partitionsFor(topic, Duration.ofSeconds(10))
                    .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!partitions.stream().allMatch(p -> consumer.position(p) >= end.get(p))
                    && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    if (record.key() != null && wanted.contains(record.key())) {
                        use.accept(record);
                    }
                }
            }
        }
    }
}
