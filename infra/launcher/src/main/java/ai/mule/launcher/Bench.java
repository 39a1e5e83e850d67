package ai.mule.launcher;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Collections;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntConsumer;

/**
 * {@code ./mule bench}: drives a running local stack with a 3-step trivial WASM workflow and prints the
 * latency of job acceptance (at a steady rate and at saturation) and of the synchronous call (alone and
 * with concurrent clients), and throughput in steps per second.
 * Numbers are taken from the client's side of HTTP, so they include everything a user waits for.
 */
final class Bench {

    private static final String WORKFLOW = "bench3";
    private static final int STEPS = 3;

    private final LocalStack stack;
    private final MuleClient client;
    private final int clients;
    private final int jobs;
    private final int syncCalls;
    private final int rate;
    private final int steadySeconds;
    private final Duration warmUpLimit;
    private final StackCpu cpu;
    private final CompilerThreads compilerThreads = new CompilerThreads();

    /**
     * The warm-up is over once the JIT compiler threads used less than this share of the stack's CPU over a
     * {@link #WARM_UP_WINDOW}: under the bench's load on the 2-core VM, from 29% in the first rounds to 4% after
     * about 100 s, then 0-10% (a method compiled now and then); C1 and C2 had compiled what the load runs.
     */
    private static final double SETTLED_COMPILER_SHARE = 0.05;
    private static final Duration WARM_UP_WINDOW = Duration.ofSeconds(10);

    Bench(LocalStack stack, int clients, int jobs, int syncCalls, int rate, int steadySeconds, Duration warmUpLimit) {
        this.stack = stack;
        this.client = new MuleClient(stack.config().gatewayUrl());
        this.clients = clients;
        this.jobs = jobs;
        this.syncCalls = syncCalls;
        this.rate = rate;
        this.steadySeconds = steadySeconds;
        this.warmUpLimit = warmUpLimit;
        this.cpu = new StackCpu(stack);
    }

    void run() throws Exception {
        String workflowId = new ExampleWorkflows(client, stack.config().repo())
                .ensure(WORKFLOW, "benchmark: greet, upper, reverse", List.of("greet", "upper", "reverse"));
        String model = "workflow/" + WORKFLOW;

        warmUp(model, workflowId);
        vacuum();

        Latencies syncSequential = new Latencies();
        Timestamp sequentialStarted = new Timestamp(System.currentTimeMillis());
        Map<String, Journeys.ClientTimes> sequentialTimes = new ConcurrentHashMap<>();
        Spent atStart = spentSoFar();
        concurrently(1, syncCalls, i -> timedSync(model, "seq " + i, syncSequential, sequentialTimes));
        Spent afterSequential = spentSoFar();

        Latencies syncConcurrent = new Latencies();
        long syncStart = System.nanoTime();
        Timestamp syncStarted = new Timestamp(System.currentTimeMillis());
        Map<String, Journeys.ClientTimes> concurrentTimes = new ConcurrentHashMap<>();
        concurrently(clients, syncCalls, i -> timedSync(model, "conc " + i, syncConcurrent, concurrentTimes));
        Spent afterConcurrent = spentSoFar();
        Timestamp syncEnded = new Timestamp(System.currentTimeMillis());
        double syncSeconds = (System.nanoTime() - syncStart) / 1e9;

        // Acceptance at a steady rate the pipeline keeps up with (open loop: latency counts from when each
        // request was due, so a stall is not hidden by the requests it delayed), then at saturation.
        Latencies steadyAcceptance = new Latencies();
        List<String> steadyIds = Collections.synchronizedList(new ArrayList<>());
        Timestamp steadyStart = new Timestamp(System.currentTimeMillis());
        atRate(rate, rate * steadySeconds, i -> steadyIds.add(client.submitJob(workflowId, "steady " + i)),
                steadyAcceptance);
        awaitCompleted(steadyIds, steadyStart);
        Latencies sequentialOverhead = orchestrationOverhead(jobsOfSyncCalls(sequentialStarted, syncStarted));
        Latencies syncOverhead = orchestrationOverhead(jobsOfSyncCalls(syncStarted, syncEnded));
        Latencies steadyOverhead = orchestrationOverhead(steadyIds);

        Latencies acceptance = new Latencies();
        List<String> ids = Collections.synchronizedList(new ArrayList<>());
        Timestamp firstSubmit = new Timestamp(System.currentTimeMillis());
        Spent beforeAsync = spentSoFar();
        concurrently(clients, jobs, i -> acceptance.add(timed(() -> ids.add(client.submitJob(workflowId, "job " + i)))));
        double drainSeconds = awaitCompleted(ids, firstSubmit);
        Spent afterAsync = spentSoFar();

        System.out.println();
        System.out.println("Mule bench: 3-step WASM workflow (greet -> upper -> reverse), " + clients + " concurrent clients");
        System.out.printf("  job acceptance   %d jobs/s steady          %s%n", rate, steadyAcceptance.summary());
        System.out.printf("  job acceptance   %d clients, saturating    %s%n", clients, acceptance.summary());
        System.out.printf("  sync call        1 client                 %s%n", syncSequential.summary());
        System.out.printf("  sync call        %d clients                %s%n", clients, syncConcurrent.summary());
        System.out.printf("  throughput       sync calls               %.0f steps/s (%.0f workflows/s)%n",
                syncCalls * STEPS / syncSeconds, syncCalls / syncSeconds);
        System.out.printf("  throughput       %d async jobs            %.0f steps/s (%.0f jobs/s, submit to last completed)%n",
                jobs, jobs * STEPS / drainSeconds, jobs / drainSeconds);
        System.out.printf("  step overhead    sync calls, 1 client     %s%n", sequentialOverhead.summary());
        System.out.printf("  step overhead    sync calls, %d clients    %s%n", clients, syncOverhead.summary());
        System.out.printf("  step overhead    %d jobs/s steady          %s%n", rate, steadyOverhead.summary());
        System.out.println("                   (command emitted to result consumed by the orchestrator, minus the"
                + " runner's execution time)");
        List<Phase> phases = List.of(new Phase("sync calls, 1 client", atStart, afterSequential, syncCalls),
                new Phase("sync calls, " + clients + " clients", afterSequential, afterConcurrent, syncCalls),
                new Phase(jobs + " async jobs", beforeAsync, afterAsync, jobs));
        for (Phase phase : phases) {
            System.out.printf("  cpu per job      %-24s %s%n", phase.name(),
                    StackCpu.perUnit(StackCpu.between(phase.from().cpu(), phase.to().cpu()), phase.jobs()));
        }
        for (Phase phase : phases) {
            System.out.printf("  broker requests  %-24s %s%n", phase.name(),
                    BrokerRequests.perUnit(phase.from().brokerRequests(), phase.to().brokerRequests(), phase.jobs()));
        }
        System.out.println("                   (per job: CPU time of each of the stack's processes over the phase, "
                + StackCpu.LAUNCHER + " being the launcher's JVM; requests the broker handled)");
        System.out.println("  targets          acceptance p99 <= 20 ms; sync 3-step p50 <= Restate's; step overhead p50 <= 3 ms"
                + " (1 client), <= 10 ms (steady)");

        Journeys journeys = new Journeys(stack.config());
        printBreakdown(journeys.breakdown(sequentialTimes.keySet(), sequentialTimes),
                journeys.breakdown(concurrentTimes.keySet(), concurrentTimes), journeys.breakdown(steadyIds, Map.of()));
    }

    /**
     * Compiles the modules, then runs sync calls and async jobs until the JVMs' compilers have settled (or the limit
     * is reached): the services run with C2 as deployed, and in the first minute or two compiling takes more of the
     * two cores than the services do.
     */
    private void warmUp(String model, String workflowId) throws Exception {
        System.out.printf("warming up until the JIT compilers settle (at most %d s) ...%n", warmUpLimit.toSeconds());
        concurrently(2, 100, i -> expectSync(model, "warm " + i));
        if (warmUpLimit.isZero()) {
            return;
        }
        long start = System.nanoTime();
        long deadline = start + warmUpLimit.toNanos();
        WarmUpSample windowStart = warmUpSample();
        for (int round = 0; System.nanoTime() < deadline; round++) {
            String prefix = "warm " + round + " ";
            concurrently(clients, 100, i -> expectSync(model, prefix + i));
            List<String> ids = Collections.synchronizedList(new ArrayList<>());
            Timestamp submitted = new Timestamp(System.currentTimeMillis());
            concurrently(clients, 200, i -> ids.add(client.submitJob(workflowId, prefix + i)));
            awaitCompleted(ids, submitted);
            WarmUpSample now = warmUpSample();
            if (now.at() - windowStart.at() < WARM_UP_WINDOW.toNanos()) {
                continue;
            }
            Optional<Double> share = now.compilerShareSince(windowStart);
            if (share.isPresent() && share.get() < SETTLED_COMPILER_SHARE) {
                System.out.printf("warmed up in %.0f s: the JIT compilers used %.1f%% of the stack's CPU in the last %.0f s%n",
                        (now.at() - start) / 1e9, share.get() * 100, (now.at() - windowStart.at()) / 1e9);
                return;
            }
            windowStart = now;
        }
        System.out.printf("warmed up for the limit, %d s (MULE_BENCH_WARMUP_SECONDS)%s%n", warmUpLimit.toSeconds(),
                !compilerThreads.available() ? ": this OS does not say what the compilers use" : "");
    }

    /**
     * Vacuums the database the warm-up filled (tens of thousands of jobs, each row updated several times), as pgbench
     * does before it measures: otherwise autovacuum catches up on the warm-up's rows during a measured phase (in
     * three of seven warm benches PostgreSQL's CPU per call was 2.6-3.1 ms in one phase against 1.3-1.8 in the others).
     * <p>
     * Then a checkpoint, so that the measured phases write their WAL into recycled segment files, as a server that has
     * run for long does. The bench's server is new: until its first checkpoint, every 16 MiB of WAL goes to a segment
     * file that the backend whose commit needs it creates and fills with zeroes first, while every other commit waits.
     * In one bench, 21 job acceptances stalled together, for up to 181 ms, from the moment such a file was created
     * (README).
     */
    private void vacuum() throws SQLException, InterruptedException {
        long start = System.nanoTime();
        long backend;
        try (Connection db = LocalPostgres.connect(stack.config());
             Statement statement = db.createStatement()) {
            statement.execute("VACUUM (ANALYZE)");
            statement.execute("CHECKPOINT");
            try (ResultSet rs = statement.executeQuery("SELECT pg_backend_pid()")) {
                rs.next();
                backend = rs.getLong(1);
            }
        }
        // The backend exits a moment after its connection closes; a phase that began before it had gone would count
        // the vacuum's CPU at its start and not at its end.
        for (int i = 0; i < 50 && ProcessHandle.of(backend).isPresent(); i++) {
            Thread.sleep(100);
        }
        System.out.printf("vacuumed and checkpointed the database after the warm-up in %.1f s%n",
                (System.nanoTime() - start) / 1e9);
    }

    /** The stack's CPU and its compiler threads' at one moment (nanoTime). */
    private record WarmUpSample(long at, Duration stack, Optional<Duration> compilers) {

        /** The compilers' share of the stack's CPU since an earlier sample; empty if the OS does not say. */
        Optional<Double> compilerShareSince(WarmUpSample earlier) {
            double stackNanos = stack.minus(earlier.stack).toNanos();
            return compilers.flatMap(c -> earlier.compilers.map(e -> c.minus(e).toNanos() / Math.max(1, stackNanos)));
        }
    }

    private WarmUpSample warmUpSample() {
        List<Long> jvms = new ArrayList<>(stack.statuses().stream().map(ServiceStatus::pid).toList());
        jvms.add(ProcessHandle.current().pid());
        Duration used = cpu.used().values().stream().reduce(Duration.ZERO, Duration::plus);
        return new WarmUpSample(System.nanoTime(), used, compilerThreads.cpu(jvms));
    }

    /**
     * Each hop of a job's journey, p50 / p99 in milliseconds, for sync calls from 1 client and from all clients, and
     * for steady jobs.
     */
    private void printBreakdown(Map<String, Latencies> sequential, Map<String, Latencies> concurrent,
                                Map<String, Latencies> steady) {
        System.out.println();
        System.out.printf("  %-57s %-18s %-18s %s%n", "where the time goes (p50 / p99 ms)", "sync, 1 client",
                "sync, " + clients + " clients", rate + " jobs/s steady");
        for (String hop : sequential.keySet()) {
            System.out.printf("    %-55s %-18s %-18s %s%n", hop, cell(sequential.get(hop)), cell(concurrent.get(hop)),
                    cell(steady.get(hop)));
        }
        System.out.println("    (per job: client, relay, orchestrator in, answer, row; per step: the four hops between)");
    }

    /** What the stack had spent at one moment: CPU per process group, and the broker's requests by kind. */
    private record Spent(Map<String, Duration> cpu, Map<String, Long> brokerRequests) {
    }

    /** A phase of the bench: what the stack had spent when it began and when it ended, and the jobs it ran. */
    private record Phase(String name, Spent from, Spent to, int jobs) {
    }

    private Spent spentSoFar() {
        return new Spent(cpu.used(), BrokerRequests.handled());
    }

    private static String cell(Latencies hop) {
        return hop.count() == 0 ? "-" : String.format("%.1f / %.1f", hop.percentileMillis(50), hop.percentileMillis(99));
    }

    /** A sync call that must succeed, its latency and its job's client times recorded. */
    private void timedSync(String model, String prompt, Latencies latencies, Map<String, Journeys.ClientTimes> times) {
        Instant sent = Instant.now();
        long start = System.nanoTime();
        String jobId = expectSync(model, prompt);
        latencies.add(System.nanoTime() - start);
        times.put(jobId, new Journeys.ClientTimes(sent, Instant.now()));
    }

    /** Makes a sync call that must succeed; returns the id of its job. */
    private String expectSync(String model, String prompt) {
        MuleClient.Answer answer = client.chat(model, prompt);
        if (answer.status() != 200) {
            throw new IllegalStateException("sync call failed: HTTP " + answer.status() + " " + answer.body());
        }
        return answer.body().path("id").asText().replaceFirst("^chatcmpl-", "");
    }

    /** The ids of the completed jobs that sync calls made between {@code since} and {@code until}. */
    private List<String> jobsOfSyncCalls(Timestamp since, Timestamp until) throws Exception {
        try (Connection db = LocalPostgres.connect(stack.config());
             PreparedStatement query = db.prepareStatement("SELECT id::text FROM jobs WHERE source = 'chat' "
                     + "AND workflow_name = ? AND created_at >= ? AND created_at < ? AND status = 'completed'")) {
            query.setString(1, WORKFLOW);
            query.setTimestamp(2, since);
            query.setTimestamp(3, until);
            List<String> ids = new ArrayList<>();
            try (ResultSet rs = query.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
            return ids;
        }
    }

    /**
     * Per-step orchestration overhead: from the orchestrator emitting a step's command ({@code StepStarted.at},
     * stored as {@code job_steps.started_at}) to it consuming the step's result ({@code StepCompleted.at}, stored
     * as {@code completed_at}), minus the runner's own execution time ({@code duration_micros}). What is left is
     * the two Kafka hops, the runner's dispatch and the orchestrator's processing: Mule's cost of a step.
     * Both timestamps come from the orchestrator's clock, so no clocks are compared across processes.
     * <p>
     * One sample per job, its steps' mean: from its first step's start to its last step's end, minus their execution,
     * divided by its steps. A step's end and the next one's start are one transition's time, so for steps each sent
     * alone this is the mean of each step's own figure; a step its command carried (a WASM step after a WASM step)
     * starts and ends in the transition that applies the record carrying it, so only the job as a whole says what
     * its steps cost.
     */
    private Latencies orchestrationOverhead(List<String> ids) throws Exception {
        String sql = "SELECT ((EXTRACT(EPOCH FROM (max(completed_at) - min(started_at))) * 1000000)::bigint"
                + " - sum(duration_micros)) / count(*) FROM job_steps"
                + " WHERE job_id = ANY (?::uuid[]) AND status = 'completed' AND attempt = 1 GROUP BY job_id";
        Latencies overhead = new Latencies();
        try (Connection db = LocalPostgres.connect(stack.config());
             PreparedStatement query = db.prepareStatement(sql)) {
            query.setArray(1, db.createArrayOf("text", ids.toArray()));
            try (ResultSet rs = query.executeQuery()) {
                while (rs.next()) {
                    overhead.add(rs.getLong(1) * 1_000);
                }
            }
        }
        return overhead;
    }

    /**
     * Waits until every job is completed in PostgreSQL; returns seconds from the first submission to the last
     * completion, from the rows' {@code completed_at}, so how often it looks changes only when it returns. It looks
     * every 200 ms and only at the jobs not yet seen ended, so that its queries take little of the database the
     * pipeline writes to: looking at every job every 50 ms was most of the index scans PostgreSQL made while 5,000
     * jobs ran (38,600 a second on {@code jobs}).
     */
    private double awaitCompleted(List<String> ids, Timestamp firstSubmit) throws Exception {
        String sql = "SELECT id::text, status, completed_at FROM jobs WHERE id = ANY (?::uuid[])"
                + " AND status IN ('completed', 'failed')";
        Set<String> open = new HashSet<>(ids);
        Timestamp lastCompleted = firstSubmit;
        long deadline = System.nanoTime() + 300_000_000_000L;
        try (Connection db = LocalPostgres.connect(stack.config());
             PreparedStatement query = db.prepareStatement(sql)) {
            while (System.nanoTime() < deadline) {
                query.setArray(1, db.createArrayOf("text", open.toArray()));
                try (ResultSet rs = query.executeQuery()) {
                    while (rs.next()) {
                        if (rs.getString(2).equals("failed")) {
                            throw new IllegalStateException("benchmark job " + rs.getString(1) + " failed");
                        }
                        open.remove(rs.getString(1));
                        Timestamp completed = rs.getTimestamp(3);
                        if (completed.after(lastCompleted)) {
                            lastCompleted = completed;
                        }
                    }
                }
                if (open.isEmpty()) {
                    return (lastCompleted.getTime() - firstSubmit.getTime()) / 1000.0;
                }
                Thread.sleep(200);
            }
        }
        throw new IllegalStateException(open.size() + " benchmark jobs did not complete within 300 s");
    }

    private static long timed(Runnable call) {
        long start = System.nanoTime();
        call.run();
        return System.nanoTime() - start;
    }

    /**
     * Starts {@code total} calls at {@code perSecond}, each on time whatever the others do, and records each
     * call's latency from the moment it was due.
     */
    private static void atRate(int perSecond, int total, IntConsumer call, Latencies latencies) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(64);
        try {
            List<Future<?>> futures = new ArrayList<>();
            long start = System.nanoTime();
            long interval = 1_000_000_000L / perSecond;
            for (int i = 0; i < total; i++) {
                long due = start + i * interval;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
                int n = i;
                futures.add(pool.submit(() -> {
                    call.accept(n);
                    latencies.add(System.nanoTime() - due);
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Runs {@code total} calls spread over {@code threads} threads and waits for all of them. */
    private static void concurrently(int threads, int total, IntConsumer call) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < total; i++) {
                int n = i;
                futures.add(pool.submit(() -> call.accept(n)));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
