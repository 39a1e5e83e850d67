package ai.mule.orchestrator;

import static ai.mule.orchestrator.TestJobs.newJobId;
import static ai.mule.orchestrator.TestJobs.request;
import static ai.mule.orchestrator.TestJobs.text;
import static ai.mule.orchestrator.TestJobs.wasm;
import static org.assertj.core.api.Assertions.assertThat;

import ai.mule.orchestrator.jobs.OrchestratorProperties;
import ai.mule.schemas.JobEvent;
import ai.mule.schemas.JobRequest;
import ai.mule.schemas.Topics;
import ai.mule.testkit.TestKafka;
import ai.mule.testkit.TestPostgres;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * How soon a read_committed reader (the status writer, the gateway's sync answers) sees a job's terminal event:
 * sequential 3-step jobs on the real broker, a fake runner answering at once, timed from the request sent to
 * {@code job_completed} seen by a read_committed and by a read_uncommitted consumer. The difference is what the
 * exactly-once commit adds; the orchestrator commits right after a job someone waits for ends (these are sent as a
 * sync call's are), so it must stay well under the commit interval. The numbers are logged. Run alone with
 * {@code mvn -B -pl orchestrator -am verify -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false
 * -Dit.test=CommitLatencyIT -Dmule.commit-latency.jobs=200}; {@code mule.commit-latency.commit-interval} sets the
 * orchestrator's commit interval (default: the service's default), {@code mule.commit-latency.burst} the number
 * of jobs sent at once in the throughput test.
 */
class CommitLatencyIT {

    private static final Logger log = LoggerFactory.getLogger(CommitLatencyIT.class);
    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final int JOBS = Integer.getInteger("mule.commit-latency.jobs", 40);
    private static final int BURST = Integer.getInteger("mule.commit-latency.burst", 100);

    @TempDir
    static Path stateDir;
    static ConfigurableApplicationContext app;

    @BeforeAll
    static void startService() {
        TestPostgres.Database db = TestPostgres.newDatabase();
        String commitInterval = System.getProperty("mule.commit-latency.commit-interval");
        String[] settings = commitInterval == null ? new String[0]
                : new String[] {"--mule.orchestrator.commit-interval=" + commitInterval};
        app = TestOrchestrator.start(db, stateDir, "mule-orchestrator-latency-it-" + UUID.randomUUID(),
                "mule-job-status-writer-latency-it-" + UUID.randomUUID(), settings);
    }

    @AfterAll
    static void stopService() {
        if (app != null) {
            app.close();
        }
    }

    @Test
    void aFinishedJobReachesReadCommittedReadersSoonAfterItsLastResult() throws Exception {
        List<String> jobIds = IntStream.range(0, JOBS).mapToObj(i -> newJobId()).toList();
        long[] committed = new long[JOBS];
        long[] uncommitted = new long[JOBS];
        try (FakeRunner runner = new FakeRunner(jobIds, command -> Optional.of(Results.succeeded(command,
                     text("done"), null, null, 1, Instant.now())));
             CompletionWatcher committedReader = new CompletionWatcher("read_committed");
             CompletionWatcher uncommittedReader = new CompletionWatcher("read_uncommitted");
             KafkaProducer<String, JobRequest> producer = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers(),
                     ProducerConfig.LINGER_MS_CONFIG, 0), Topics.JOB_REQUESTS.keySerde().serializer(),
                     Topics.JOB_REQUESTS.valueSerde().serializer())) {
            // a warm-up job: the first transaction and the first fetches pay for metadata and connections
            runJob(jobIds.get(0), producer, committedReader, uncommittedReader);
            for (int i = 1; i < JOBS; i++) {
                long[] times = runJob(jobIds.get(i), producer, committedReader, uncommittedReader);
                committed[i] = times[0];
                uncommitted[i] = times[1];
            }
        }
        long[] committedMs = Arrays.copyOfRange(committed, 1, JOBS);
        long[] uncommittedMs = Arrays.copyOfRange(uncommitted, 1, JOBS);
        long[] lagMs = IntStream.range(0, committedMs.length).mapToLong(i -> committedMs[i] - uncommittedMs[i])
                .toArray();
        log.info("{} sequential 3-step jobs, request sent -> job_completed seen: read_committed p50 {} ms p99 {} ms "
                        + "max {} ms; read_uncommitted p50 {} ms p99 {} ms; committed minus uncommitted p50 {} ms "
                        + "p99 {} ms", committedMs.length, percentile(committedMs, 50), percentile(committedMs, 99),
                percentile(committedMs, 100), percentile(uncommittedMs, 50), percentile(uncommittedMs, 99),
                percentile(lagMs, 50), percentile(lagMs, 99));
        // without a commit when a job ends, read_committed readers wait for the interval, and the stream thread's
        // idle poll (as long again) before the commit: measured p50 113 ms behind read_uncommitted at 100 ms
        long commitIntervalMs = app.getBean(OrchestratorProperties.class).commitInterval().toMillis();
        assertThat(percentile(lagMs, 50)).as("read_committed behind read_uncommitted, p50 (ms)")
                .isLessThan(commitIntervalMs / 2);
    }

    /**
     * Many jobs at once: a commit after each job that ends must not cost throughput (each commit takes in every
     * record processed since the last one, so under load they come back to back, not one per job).
     */
    @Test
    void aBurstOfJobsAllCompleteForReadCommittedReaders() throws Exception {
        List<String> jobIds = IntStream.range(0, BURST).mapToObj(i -> newJobId()).toList();
        try (FakeRunner runner = new FakeRunner(jobIds, command -> Optional.of(Results.succeeded(command,
                     text("done"), null, null, 1, Instant.now())));
             CompletionWatcher committedReader = new CompletionWatcher("read_committed");
             KafkaProducer<String, JobRequest> producer = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers(),
                     ProducerConfig.LINGER_MS_CONFIG, 0), Topics.JOB_REQUESTS.keySerde().serializer(),
                     Topics.JOB_REQUESTS.valueSerde().serializer())) {
            List<CompletableFuture<Long>> completions = jobIds.stream().map(committedReader::completion).toList();
            long sent = System.nanoTime();
            for (String jobId : jobIds) {
                producer.send(new ProducerRecord<>(Topics.JOB_REQUESTS.name(), jobId,
                        request(jobId, wasm(1, "a"), wasm(2, "b"), wasm(3, "c"))));
            }
            CompletableFuture.allOf(completions.toArray(CompletableFuture[]::new))
                    .get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            long lastMs = TimeUnit.NANOSECONDS.toMillis(completions.stream().mapToLong(CompletableFuture::join)
                    .max().orElseThrow() - sent);
            log.info("A burst of {} 3-step jobs: all completed for read_committed after {} ms ({} jobs/s)", BURST,
                    lastMs, BURST * 1000L / Math.max(1, lastMs));
            assertThat(completions).allMatch(CompletableFuture::isDone);
        }
    }

    /** Runs one job and returns the millis until read_committed, then read_uncommitted, saw it complete. */
    private static long[] runJob(String jobId, KafkaProducer<String, JobRequest> producer,
                                 CompletionWatcher committedReader, CompletionWatcher uncommittedReader)
            throws Exception {
        // a sync call's request: the caller waits for the job's end
        JobRequest request = request(jobId, wasm(1, "a"), wasm(2, "b"), wasm(3, "c")).awaitedByCaller();
        CompletableFuture<Long> committed = committedReader.completion(jobId);
        CompletableFuture<Long> uncommitted = uncommittedReader.completion(jobId);
        long sent = System.nanoTime();
        producer.send(new ProducerRecord<>(Topics.JOB_REQUESTS.name(), jobId, request));
        long committedAt = committed.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        long uncommittedAt = uncommitted.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        return new long[] {TimeUnit.NANOSECONDS.toMillis(committedAt - sent),
                TimeUnit.NANOSECONDS.toMillis(uncommittedAt - sent)};
    }

    private static long percentile(long[] values, int percentile) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        int index = (int) Math.ceil(percentile / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    /** Reads every partition of the job events from their end, and notes when each job's completion arrives. */
    private static final class CompletionWatcher implements AutoCloseable {

        private final Map<String, CompletableFuture<Long>> completions = new ConcurrentHashMap<>();
        private final KafkaConsumer<String, JobEvent> consumer;
        private final Thread thread;
        private final CompletableFuture<Void> positioned = new CompletableFuture<>();
        private volatile boolean running = true;

        CompletionWatcher(String isolation) throws Exception {
            Properties config = new Properties();
            config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers());
            config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
            config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            consumer = new KafkaConsumer<>(config, Topics.JOB_EVENTS.keySerde().deserializer(),
                    Topics.JOB_EVENTS.valueSerde().deserializer());
            thread = new Thread(this::run, "completion-watcher-" + isolation);
            thread.start();
            positioned.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        }

        CompletableFuture<Long> completion(String jobId) {
            return completions.computeIfAbsent(jobId, id -> new CompletableFuture<>());
        }

        private void run() {
            try {
                List<TopicPartition> partitions = consumer.partitionsFor(Topics.JOB_EVENTS.name()).stream()
                        .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
                consumer.assign(partitions);
                consumer.seekToEnd(partitions);
                partitions.forEach(consumer::position);
                positioned.complete(null);
                while (running) {
                    for (ConsumerRecord<String, JobEvent> record : consumer.poll(Duration.ofMillis(100))) {
                        if (record.value() instanceof JobEvent.JobCompleted) {
                            completion(record.key()).complete(System.nanoTime());
                        }
                    }
                }
            } catch (WakeupException e) {
                // close() asked us to stop
            } catch (RuntimeException e) {
                positioned.completeExceptionally(e);
                throw e;
            } finally {
                consumer.close();
            }
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            consumer.wakeup();
            thread.join(10_000);
        }
    }
}
