package ai.mule.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.mule.localkafka.FreePorts;
import ai.mule.schemas.JobEvent;
import ai.mule.schemas.JobRequest;
import ai.mule.schemas.Topics;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A cancel racing a job's completion, on the real stack, 200 times: a sync caller runs {@code greet, upper} while
 * another thread cancels the job at a moment around its end. Whichever the orchestrator took first, the job row's
 * final status, the job's one committed terminal event on {@code mule.jobs.events} and what the sync caller got
 * (the output, or the OpenAI error {@code job_cancelled}) must agree, every time. The moments are spread from 0 to
 * a little past the median time, measured first, from a call to the orchestrator deciding its job's end, so both
 * outcomes occur; the test fails unless they both do.
 */
class CancelRaceIT {

    private static final int RACES = 200;
    private static final int WARM_UP_CALLS = 40;
    private static final String WORKFLOW = "race";
    private static final Duration WAIT = Duration.ofSeconds(20);

    private static LocalStack stack;
    private static MuleClient client;
    private static TopicTail<JobRequest> requests;
    private static TopicTail<JobEvent> committedEvents;
    private static TopicTail<JobEvent> uncommittedEvents;
    /** When (System.nanoTime) each job's request, its terminal event as emitted, and as committed, were first seen. */
    private static final Map<String, Long> requestSeen = new ConcurrentHashMap<>();
    private static final Map<String, Long> endEmitted = new ConcurrentHashMap<>();
    private static final Map<String, Long> endCommitted = new ConcurrentHashMap<>();
    private static final Map<String, CompletableFuture<String>> jobByPrompt = new ConcurrentHashMap<>();
    private static final Map<String, List<JobEvent>> terminalsByJob = new ConcurrentHashMap<>();
    private static final ExecutorService callers = Executors.newCachedThreadPool();

    @BeforeAll
    static void startStack() throws Exception {
        Path repo = Path.of(System.getProperty("mule.repo", "../..")).toAbsolutePath().normalize();
        StackConfig config = new StackConfig(repo, Files.createTempDirectory("mule-race"), FreePorts.next(),
                FreePorts.next(), FreePorts.next(), FreePorts.next(), 3);
        long starting = System.nanoTime();
        stack = LocalStack.start(config, line -> System.out.println("stack: " + line));
        System.out.println("stack started in " + TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - starting) + " s");
        client = new MuleClient(config.gatewayUrl());
        new ExampleWorkflows(client, repo).ensure(WORKFLOW, "greet, then shout", List.of("greet", "upper"));
        // the job id of a sync call is only in its answer: learn it from its request, as the orchestrator does
        requests = new TopicTail<>(config.bootstrapServers(), Topics.JOB_REQUESTS, "read_uncommitted",
                (jobId, request) -> {
                    requestSeen.putIfAbsent(jobId, System.nanoTime());
                    JsonNode prompt = request.input() == null ? null : request.input().get("prompt");
                    if (prompt != null) {
                        jobByPrompt.computeIfAbsent(prompt.asText(), p -> new CompletableFuture<>()).complete(jobId);
                    }
                });
        committedEvents = new TopicTail<>(config.bootstrapServers(), Topics.JOB_EVENTS, "read_committed",
                (jobId, event) -> {
                    if (event.terminal()) {
                        endCommitted.putIfAbsent(jobId, System.nanoTime());
                        terminalsByJob.computeIfAbsent(jobId, id -> new CopyOnWriteArrayList<>()).add(event);
                    }
                });
        // only to time the warm-up calls: when the orchestrator emitted the end, before its transaction committed
        uncommittedEvents = new TopicTail<>(config.bootstrapServers(), Topics.JOB_EVENTS, "read_uncommitted",
                (jobId, event) -> {
                    if (event.terminal()) {
                        endEmitted.putIfAbsent(jobId, System.nanoTime());
                    }
                });
    }

    @AfterAll
    static void stopStack() {
        callers.shutdownNow();
        for (AutoCloseable closeable : new AutoCloseable[] {requests, committedEvents, uncommittedEvents, stack}) {
            try {
                if (closeable != null) {
                    closeable.close();
                }
            } catch (Exception e) {
                System.out.println("closing " + closeable + ": " + e);
            }
        }
    }

    @Test
    void rowEventAndSyncAnswerAgreeWhicheverOfCancelAndCompletionWins() throws Exception {
        long warmingUp = System.nanoTime();
        WarmUp warm = warmUpAndMeasureSyncLatency();
        System.out.println("warm-up took " + TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - warmingUp) + " s");
        long[] latencies = warm.syncMs();
        // from the call to the moment the orchestrator decides the job's end, and a little past it
        long spreadMs = Math.max(10, warm.endEmittedMs() * 5 / 4);
        String run = UUID.randomUUID().toString().substring(0, 8);
        Map<String, Integer> outcomes = new TreeMap<>();
        Map<String, Integer> deleteAnswers = new TreeMap<>();
        List<String> disagreements = new ArrayList<>();
        Map<String, String> outcomeByJob = new TreeMap<>();
        long started = System.nanoTime();

        for (int i = 0; i < RACES; i++) {
            // spread the cancel over [0, spreadMs] after the call, in a scattered order
            long delayMs = (i * 37L) % (spreadMs + 1);
            Race race = race(run + "-" + i, delayMs);
            outcomes.merge(race.outcome(), 1, Integer::sum);
            outcomeByJob.put(race.jobId(), race.outcome());
            deleteAnswers.merge(race.deleteAnswer(), 1, Integer::sum);
            race.disagreement().ifPresent(disagreements::add);
        }

        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
        // settled: no second terminal event was committed later, and no row changed after its end
        Thread.sleep(1_000);
        outcomeByJob.forEach((jobId, outcome) -> {
            String now = client.get("/api/v1/jobs/" + jobId).data().path("status").asText();
            int ends = terminalsByJob.get(jobId).size();
            if (!now.equals(outcome) || ends != 1) {
                disagreements.add("job " + jobId + " ended " + outcome + ", later reads " + now + " with " + ends
                        + " committed terminal events");
            }
        });
        System.out.printf("cancel race: %d runs in %d s, cancels spread over 0..%d ms; outcomes %s; DELETE answers %s;"
                + " warm sync latency p50 %d ms, p90 %d ms, p99 %d ms, max %d ms%n", RACES, seconds, spreadMs, outcomes,
                deleteAnswers, percentile(latencies, 50), percentile(latencies, 90), percentile(latencies, 99),
                latencies[latencies.length - 1]);
        assertThat(disagreements).as("runs where row, committed event and sync answer disagree").isEmpty();
        assertThat(outcomes.getOrDefault("completed", 0)).as("completion won at least once: " + outcomes).isPositive();
        assertThat(outcomes.getOrDefault("cancelled", 0)).as("the cancel won at least once: " + outcomes).isPositive();
        assertThat(outcomes.get("completed") + outcomes.get("cancelled")).isEqualTo(RACES);
    }

    /** One sync call, cancelled {@code delayMs} after it was sent (or as soon as its job id is known). */
    private Race race(String prompt, long delayMs) throws Exception {
        CompletableFuture<String> jobIdOf = jobByPrompt.computeIfAbsent(prompt, p -> new CompletableFuture<>());
        long sentAt = System.nanoTime();
        CompletableFuture<MuleClient.Answer> sync = CompletableFuture.supplyAsync(
                () -> client.chat("workflow/" + WORKFLOW, prompt), callers);
        String jobId = jobIdOf.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        long wait = TimeUnit.MILLISECONDS.toNanos(delayMs) - (System.nanoTime() - sentAt);
        if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
        }

        MuleClient.Answer delete = client.delete("/api/v1/jobs/" + jobId);

        MuleClient.Answer answer = sync.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        List<JobEvent> terminals = await().atMost(WAIT).pollInterval(Duration.ofMillis(5))
                .until(() -> terminalsByJob.getOrDefault(jobId, List.of()), list -> !list.isEmpty());
        JsonNode row = await().atMost(WAIT).pollInterval(Duration.ofMillis(10))
                .until(() -> client.get("/api/v1/jobs/" + jobId).data(), job -> isTerminal(job.path("status").asText()));
        JsonNode steps = client.get("/api/v1/jobs/" + jobId + "/steps").data();
        return Race.compare(prompt, jobId, delayMs, delete, answer, terminals, row, steps);
    }

    /**
     * The sync latency of the workflow when nothing races it (the first calls compile the modules: left out), and
     * where it goes: to the request on Kafka, to the end emitted by the orchestrator, to that end committed (what
     * the gateway's read_committed listener waits for), and from there to the caller's answer.
     */
    private WarmUp warmUpAndMeasureSyncLatency() {
        List<Long> measured = new ArrayList<>();
        List<Long> toEndEmitted = new ArrayList<>();
        List<List<Long>> parts = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        for (int i = 0; i < WARM_UP_CALLS; i++) {
            long start = System.nanoTime();
            MuleClient.Answer answer = client.chat("workflow/" + WORKFLOW, "warm " + i);
            long end = System.nanoTime();
            assertThat(answer.status()).as(answer.body().toString()).isEqualTo(200);
            String jobId = answer.body().path("id").asText().substring("chatcmpl-".length());
            if (i < 10) {
                continue;
            }
            measured.add(TimeUnit.NANOSECONDS.toMillis(end - start));
            await().atMost(WAIT).until(() -> endEmitted.containsKey(jobId) && endCommitted.containsKey(jobId));
            long[] marks = {start, requestSeen.getOrDefault(jobId, start), endEmitted.get(jobId), endCommitted.get(jobId),
                    end};
            for (int p = 0; p < parts.size(); p++) {
                parts.get(p).add(TimeUnit.NANOSECONDS.toMicros(marks[p + 1] - marks[p]));
            }
            toEndEmitted.add(TimeUnit.NANOSECONDS.toMillis(marks[2] - start));
        }
        String[] names = {"call -> request on Kafka", "-> end emitted", "-> end committed", "-> caller answered"};
        StringBuilder breakdown = new StringBuilder("warm sync calls, p50 (p90) in ms:");
        for (int p = 0; p < parts.size(); p++) {
            long[] sorted = parts.get(p).stream().mapToLong(Long::longValue).sorted().toArray();
            breakdown.append(String.format(Locale.ROOT, " %s %.1f (%.1f);", names[p], percentile(sorted, 50) / 1000.0,
                    percentile(sorted, 90) / 1000.0));
        }
        System.out.println(breakdown);
        return new WarmUp(measured.stream().mapToLong(Long::longValue).sorted().toArray(),
                percentile(toEndEmitted.stream().mapToLong(Long::longValue).sorted().toArray(), 50));
    }

    /** Sync latencies in ms, sorted; the median time from a call to its end being emitted by the orchestrator. */
    private record WarmUp(long[] syncMs, long endEmittedMs) {
    }

    /** What one race ended as, seen three ways, and the DELETE's answer. */
    private record Race(String jobId, String outcome, String deleteAnswer, Optional<String> disagreement) {

        static Race compare(String prompt, String jobId, long delayMs, MuleClient.Answer delete,
                            MuleClient.Answer answer, List<JobEvent> terminals, JsonNode row, JsonNode steps) {
            String rowStatus = row.path("status").asText();
            String eventStatus = terminals.get(0) instanceof JobEvent.JobCompleted ? "completed"
                    : terminals.get(0) instanceof JobEvent.JobCancelled ? "cancelled" : terminals.get(0).toString();
            String syncStatus = answer.status() == 200 ? "completed"
                    : answer.status() == 502 && "job_cancelled".equals(answer.body().path("error").path("code").asText())
                    ? "cancelled" : "HTTP " + answer.status() + " " + answer.body();
            String deleteAnswer = delete.status() + (delete.status() == 202 ? " " + delete.data().path("status").asText()
                    : "");
            List<String> wrong = new ArrayList<>();
            if (!rowStatus.equals(eventStatus) || !rowStatus.equals(syncStatus)) {
                wrong.add("row " + rowStatus + ", committed event " + eventStatus + ", sync caller " + syncStatus);
            }
            if (terminals.size() != 1) {
                wrong.add(terminals.size() + " committed terminal events: " + terminals);
            }
            if (delete.status() == 409 && !"completed".equals(rowStatus)) {
                wrong.add("DELETE answered 409 (already finished) but the job ended " + rowStatus);
            }
            if (delete.status() != 409 && (delete.status() != 202 || isTerminal(delete.data().path("status").asText()))) {
                wrong.add("DELETE answered " + delete.status() + " " + delete.body());
            }
            if ("completed".equals(rowStatus)) {
                String expected = ("Hello, " + prompt + "!").toUpperCase(Locale.ROOT);
                String content = answer.body().path("choices").path(0).path("message").path("content").asText();
                JsonNode eventOutput = terminals.get(0) instanceof JobEvent.JobCompleted completed ? completed.output()
                        : null;
                if (!expected.equals(content) || !expected.equals(row.path("output_data").path("prompt").asText())
                        || eventOutput == null || !expected.equals(eventOutput.path("prompt").asText())) {
                    wrong.add("outputs differ: sync '" + content + "', row " + row.path("output_data") + ", event "
                            + eventOutput);
                }
            } else if ("cancelled".equals(rowStatus)) {
                String message = answer.body().path("error").path("message").asText();
                if (!"cancelled through the API".equals(row.path("error_message").asText())
                        || !message.contains("cancelled through the API") || !message.contains(jobId)) {
                    wrong.add("reasons differ: row '" + row.path("error_message").asText() + "', sync '" + message + "'");
                }
            }
            for (JsonNode step : steps) {
                if (!isTerminal(step.path("status").asText())) {
                    wrong.add("step " + step.path("step_order").asInt() + " left " + step.path("status").asText());
                }
            }
            Optional<String> disagreement = wrong.isEmpty() ? Optional.empty()
                    : Optional.of("job " + jobId + " (cancel after " + delayMs + " ms): " + wrong);
            return new Race(jobId, rowStatus, deleteAnswer, disagreement);
        }
    }

    private static boolean isTerminal(String status) {
        return Arrays.asList("completed", "failed", "cancelled").contains(status);
    }

    private static long percentile(long[] sorted, int percent) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(percent / 100.0 * sorted.length) - 1)];
    }
}
