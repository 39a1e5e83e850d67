package ai.mule.launcher;

import ai.mule.localkafka.FreePorts;
import ai.mule.localkafka.KafkaNode;
import ai.mule.localkafka.LocalKafka;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.kafka.common.utils.Exit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything Mule needs on one machine: PostgreSQL and Kafka in this JVM, then the gateway, the
 * orchestrator and both runners as their own processes, started in parallel. Ready once the gateway's
 * {@code /health} answers 200, which it does only when every service has joined its consumer group; from then
 * on a {@link Supervisor} starts any service that dies again.
 */
public final class LocalStack implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LocalStack.class);
    private static final Duration READY_TIMEOUT = Duration.ofMinutes(4);
    private static final String KAFKA_BOOTSTRAP = "MULE_KAFKA_BOOTSTRAP_SERVERS";
    /** The orchestrator's and the runners' health and metrics server; the gateway serves them on its API port. */
    private static final String MANAGEMENT_PORT = "MULE_MANAGEMENT_PORT";
    /** How long the services get to stop on SIGTERM, before SIGKILL. */
    private static final Duration STOP_GRACE = Duration.ofSeconds(30);
    /** The same when the broker halts this JVM: without a broker they cannot leave their groups cleanly anyway. */
    private static final Duration HALT_GRACE = Duration.ofSeconds(10);
    /** The longest the shutdown hook waits for a start-up under way to notice and end (see {@link #stopOnShutdown}). */
    private static final Duration START_STEP_LIMIT = Duration.ofSeconds(90);
    /** The stack whose broker runs in this JVM, which Kafka's halt procedure stops first ({@link #stopBeforeHalt}). */
    private static final AtomicReference<LocalStack> BROKER_OWNER = new AtomicReference<>();
    /** Set by a stack's shutdown hook: the JVM is ending, so no start-up in it takes a further step. */
    private static final AtomicBoolean STOPPING_ON_SHUTDOWN = new AtomicBoolean();

    private final StackConfig config;
    private final Map<String, String> extraEnvironment;
    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private final List<ServiceProcess> services;
    /** Held while a service process is started, so that a halt never misses one that starts meanwhile. */
    private final Object starting = new Object();
    private boolean halting;
    /** Stops the stack when the JVM is asked to stop (SIGTERM, Ctrl-C), registered before anything starts. */
    private final Thread shutdownHook = new Thread(this::stopOnShutdown, "mule-stack-stop");
    /** Held by start-up from its first step to its last, so that the shutdown hook stops a stack complete. */
    private final ReentrantLock lifecycle = new ReentrantLock();
    private volatile Progress progress = line -> { };
    private volatile LocalPostgres postgres;
    private volatile Supervisor supervisor;

    private LocalStack(StackConfig config, Map<String, String> extraEnvironment, ServiceJvm jvm) {
        this.config = config;
        this.extraEnvironment = Map.copyOf(extraEnvironment);
        this.services = List.of(
                service("gateway", "gateway/target/mule-gateway.jar", jvm),
                service("orchestrator", "orchestrator/target/mule-orchestrator.jar", jvm),
                service("step-runner-wasm", "step-runner-wasm/target/mule-step-runner-wasm.jar", jvm),
                service("step-runner-agent", "step-runner-agent/target/mule-step-runner-agent.jar", jvm));
    }

    /** Starts the whole stack and returns once it is ready; on failure stops what had started. */
    public static LocalStack start(StackConfig config, Progress progress) throws Exception {
        return start(config, progress, Map.of());
    }

    /**
     * Starts the stack with {@code extraEnvironment} set for every service too (tests tune limits this way). When it
     * names {@code MULE_KAFKA_BOOTSTRAP_SERVERS}, the services use that cluster and no local broker is started.
     */
    public static LocalStack start(StackConfig config, Progress progress, Map<String, String> extraEnvironment)
            throws Exception {
        return start(config, progress, extraEnvironment, ServiceJvm.QUICK_START);
    }

    /** Starts the stack with its services' JVMs started as {@code jvm} says ({@code ./mule bench}: as deployed). */
    static LocalStack start(StackConfig config, Progress progress, Map<String, String> extraEnvironment, ServiceJvm jvm)
            throws Exception {
        LocalStack stack = new LocalStack(config, extraEnvironment, jvm);
        Runtime.getRuntime().addShutdownHook(stack.shutdownHook);
        stack.lifecycle.lock();
        try {
            stack.startAll(progress);
            return stack;
        } catch (Exception | Error e) {
            stack.close();
            throw e;
        } finally {
            stack.lifecycle.unlock();
        }
    }

    /**
     * The shutdown hook. Whatever stops the JVM (kill, Ctrl-C, the end of {@code ./mule bench}'s JVM), the services
     * and PostgreSQL are processes of their own and would be left running, holding the stack's ports. A start-up
     * still under way takes no further step and stops what it had started; the hook waits for that, then stops the
     * rest in order: the services, which still need Kafka and PostgreSQL to leave cleanly, then Kafka, then
     * PostgreSQL. Each step of start-up is bounded (a minute at most: creating the topics); should one still hang,
     * the hook stops what it can after {@link #START_STEP_LIMIT} rather than keep the JVM from ever exiting.
     */
    private void stopOnShutdown() {
        STOPPING_ON_SHUTDOWN.set(true);
        progress.say("stopping ...");
        boolean startUpEnded = false;
        try {
            startUpEnded = lifecycle.tryLock(START_STEP_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            close();
        } finally {
            if (startUpEnded) {
                lifecycle.unlock();
            }
        }
        progress.say("stopped; data kept in " + config.home());
    }

    /**
     * Whether a stack of this JVM is being stopped by its shutdown hook: what fails on the main thread meanwhile (a
     * bench's call to a service that has just stopped) is the stop's doing, not an error to report.
     */
    static boolean stoppingOnShutdown() {
        return STOPPING_ON_SHUTDOWN.get();
    }

    /** Start-up's check before each step: a JVM asked to stop meanwhile ends it. */
    private void requireNotStopping() throws StackStartFailed {
        if (STOPPING_ON_SHUTDOWN.get()) {
            throw new StackStartFailed("stopped during start-up");
        }
    }

    public StackConfig config() {
        return config;
    }

    private ServiceProcess service(String name, String jar, ServiceJvm jvm) {
        return new ServiceProcess(name, config.repo().resolve(jar), config.logs().resolve(name + ".log"), jvm);
    }

    private void startAll(Progress progress) throws Exception {
        this.progress = progress;
        boolean localKafka = !extraEnvironment.containsKey(KAFKA_BOOTSTRAP);
        StackPorts.requireFree(config, localKafka);
        Files.createDirectories(config.logs());
        requireNotStopping();
        progress.say("PostgreSQL on 127.0.0.1:" + config.postgresPort() + " (data in " + config.home().resolve("postgres") + ")");
        postgres = new LocalPostgres(config);
        started.push(postgres);
        postgres.start();

        if (localKafka) {
            requireNotStopping();
            progress.say("Kafka (KRaft) on " + config.bootstrapServers() + " (log in " + config.home().resolve("kafka") + ")");
            LocalKafka kafka = new LocalKafka(KafkaNode.single(config.home().resolve("kafka"), config.kafkaPort(),
                    config.controllerPort(), config.partitions()));
            started.push(kafka);
            BROKER_OWNER.set(this);
            Exit.setHaltProcedure(LocalStack::brokerHalts);
            kafka.start();
        }

        Map<String, String> env = new HashMap<>(Map.of(KAFKA_BOOTSTRAP, config.bootstrapServers()));
        env.putAll(extraEnvironment);
        env.putAll(Map.of(
                // provider API keys are stored sealed with this key; the gateway seals, the agent runner opens
                "MULE_MASTER_KEY", MasterKey.loadOrCreate(config.home()),
                "MULE_DB_URL", config.jdbcUrl(),
                "MULE_DB_USER", LocalPostgres.USER,
                "MULE_DB_PASSWORD", LocalPostgres.PASSWORD,
                "MULE_HTTP_PORT", String.valueOf(config.httpPort()),
                "MULE_HTTP_ADDRESS", "127.0.0.1",
                "MULE_STATE_DIR", config.home().resolve("streams").toString()));
        started.push(() -> stopServices(STOP_GRACE));
        for (ServiceProcess service : services) {
            Map<String, String> own = new HashMap<>(env);
            String management = config.gatewayUrl();
            if (!service.name().equals("gateway")) {
                // a free port of its own, kept across restarts, so that stacks side by side never collide
                int port = FreePorts.next();
                own.put(MANAGEMENT_PORT, String.valueOf(port));
                management = "http://127.0.0.1:" + port;
            }
            requireNotStopping();
            progress.say("starting " + service.name() + " (log: " + config.repo().relativize(service.log())
                    + "; health and metrics: " + management + "/actuator/health, " + management
                    + "/actuator/prometheus)");
            synchronized (starting) {
                if (halting) {
                    throw new StackStartFailed("the Kafka broker stopped during start-up (logs in " + config.logs()
                            + ")");
                }
                service.start(own);
            }
        }
        awaitReady(progress);
        StatusFile statusFile = new StatusFile(config.home(), config.gatewayUrl());
        supervisor = new Supervisor(services, progress, statusFile);
        started.push(statusFile::delete);
        started.push(supervisor);
        supervisor.start();
    }

    /** What {@code ./mule status} shows of each service now. */
    public List<ServiceStatus> statuses() {
        return services.stream().map(ServiceProcess::status).toList();
    }

    /** SIGKILLs one service, as a crash would (tests use it to see the supervisor bring it back). */
    public void kill(String serviceName) throws InterruptedException {
        ServiceProcess service = services.stream().filter(s -> s.name().equals(serviceName)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no service " + serviceName));
        ProcessHandle.of(service.status().pid()).ifPresent(ProcessHandle::destroyForcibly);
        while (service.alive()) {
            Thread.sleep(20);
        }
    }

    private void awaitReady(Progress progress) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest health = HttpRequest.newBuilder(URI.create(config.gatewayUrl() + "/health"))
                .timeout(Duration.ofSeconds(5)).build();
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        String lastAnswer = "no answer yet";
        while (System.nanoTime() < deadline) {
            requireNotStopping();
            for (ServiceProcess service : services) {
                if (!service.alive()) {
                    throw new StackStartFailed(service.name() + " exited during start-up; last lines of "
                            + service.log() + ":\n" + service.logTail(40));
                }
            }
            try {
                HttpResponse<String> answer = http.send(health, HttpResponse.BodyHandlers.ofString());
                if (answer.statusCode() == 200) {
                    progress.say("ready: " + config.gatewayUrl());
                    return;
                }
                lastAnswer = answer.statusCode() + " " + answer.body();
            } catch (java.io.IOException e) {
                lastAnswer = e.getClass().getSimpleName();
            }
            Thread.sleep(250);
        }
        throw new StackStartFailed("the stack was not ready after " + READY_TIMEOUT.toSeconds()
                + " s; /health last said: " + lastAnswer + " (logs in " + config.logs() + ")");
    }

    /**
     * Stops services first (they still need Kafka and PostgreSQL to leave cleanly), then Kafka, then PostgreSQL. A
     * shutdown hook may call it while the main thread does: the second call waits, then finds nothing left to stop.
     */
    @Override
    public synchronized void close() {
        while (!started.isEmpty()) {
            AutoCloseable next = started.pop();
            try {
                next.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                log.warn("stopping {} failed: {}", next.getClass().getSimpleName(), e.toString());
            }
        }
        if (BROKER_OWNER.compareAndSet(this, null)) {
            Exit.resetHaltProcedure();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // the JVM is stopping already: its hooks run anyway, and this one finds nothing left to stop
        }
    }

    /**
     * Kafka's halt procedure while a stack's broker runs in this JVM. The broker halts the JVM on a fault it cannot go
     * on from (its log directory gone, a port it cannot bind), and a halt runs no shutdown hook: the services and
     * PostgreSQL, processes of their own, were left running without a broker and holding the stack's ports until
     * killed by hand (issue 14). So the stack's other processes are stopped first.
     */
    private static void brokerHalts(int status, String message) {
        try {
            LocalStack stack = BROKER_OWNER.get();
            if (stack != null) {
                stack.stopBeforeHalt(message);
            }
        } catch (Exception | Error e) {
            log.error("could not stop the stack before the broker's halt", e);
        } finally {
            Runtime.getRuntime().halt(status);
        }
    }

    /**
     * Stops the supervisor (so that it starts nothing again), then the services ({@link #HALT_GRACE}), then PostgreSQL.
     * Kafka is left alone: it is halting this JVM.
     */
    private void stopBeforeHalt(String message) throws Exception {
        progress.say("the Kafka broker is halting this process" + (message == null ? "" : " (" + message + ")")
                + "; stopping the services and PostgreSQL first (Kafka's log: " + config.logs().resolve("launcher.log")
                + ")");
        synchronized (starting) {
            halting = true;
        }
        Supervisor watching = supervisor;
        if (watching != null) {
            watching.close();
        }
        stopServices(HALT_GRACE);
        LocalPostgres database = postgres;
        if (database != null) {
            database.close();
        }
        progress.say("stopped; data kept in " + config.home());
    }

    /**
     * SIGTERM to every service at once, then waits for each, SIGKILL after {@code grace}: stopping takes the slowest
     * service's time, not the sum of theirs (after 200 calls, a Ctrl-C took 15-16 s one after another, 10 s side by
     * side). They depend on Kafka and PostgreSQL only, not on one another. A service never started is skipped.
     */
    private void stopServices(Duration grace) throws InterruptedException {
        services.forEach(ServiceProcess::terminate);
        for (ServiceProcess service : services) {
            service.close(grace);
        }
    }

    /** Where start-up tells what it is doing. */
    @FunctionalInterface
    public interface Progress {
        void say(String line);
    }
}
