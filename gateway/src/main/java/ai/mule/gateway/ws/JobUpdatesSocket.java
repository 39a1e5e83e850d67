package ai.mule.gateway.ws;

import ai.mule.gateway.events.JobEventSubscribers;
import ai.mule.gateway.events.SseStream;
import ai.mule.gateway.jobs.Job;
import ai.mule.gateway.jobs.JobRepository;
import ai.mule.schemas.JobEvent;
import java.io.IOException;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.stereotype.Component;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.handler.TextWebSocketHandler;

/**
 * {@code WS /ws}: Mule v2's live job view, {@code {"type": "job_update", "data": <job>, "timestamp": ...}} each time a
 * job's status changes, fed by the same {@code mule.jobs.events} fan-out as the SSE streams (one subscriber for all
 * sockets, taken while any is open) rather than Mule v2's poll of the 20 newest jobs every 2 s. Every event also goes
 * out as {@code {"type": "job_event", "data": <event>}}, which a Mule v2 UI ignores. The listener thread only hands
 * events over: one thread of this class reads the jobs and builds the frames in event order (at most
 * {@link #MAX_WAITING_EVENTS} wait; past that an event is not sent and a warning logged), and each socket's
 * {@link SocketSender} writes them, closing a client that falls {@code max-buffered} behind.
 */
@Component
class JobUpdatesSocket extends TextWebSocketHandler {

    private static final Logger log = LoggerFactory.getLogger(JobUpdatesSocket.class);
    static final int MAX_WAITING_EVENTS = 10_000;

    private final JobEventSubscribers subscribers;
    private final JobRepository jobs;
    private final Executor executor;
    private final WsProperties properties;
    private final Map<String, SocketSender> sessions = new ConcurrentHashMap<>();
    /** Builds the frames in the order the events came, reading each changed job once for all sockets. */
    private final ThreadPoolExecutor framer = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(MAX_WAITING_EVENTS), r -> {
                Thread thread = new Thread(r, "mule-ws-framer");
                thread.setDaemon(true);
                return thread;
            });
    private AutoCloseable subscription;

    JobUpdatesSocket(JobEventSubscribers subscribers, JobRepository jobs,
                     @Qualifier("applicationTaskExecutor") Executor executor, WsProperties properties) {
        this.subscribers = subscribers;
        this.jobs = jobs;
        this.executor = executor;
        this.properties = properties;
    }

    @Override
    public void afterConnectionEstablished(WebSocketSession session) throws IOException {
        synchronized (this) {
            if (sessions.size() >= properties.maxSessions()) {
                session.close(CloseStatus.SERVICE_OVERLOAD.withReason("more than " + properties.maxSessions()
                        + " sockets are open (mule.ws.max-sessions); retry later"));
                return;
            }
            sessions.put(session.getId(), new SocketSender(session, executor, properties.maxBuffered().toBytes()));
            if (subscription == null) {
                subscription = subscribers.subscribeAll(this::onEvent);
            }
        }
        // v2's UI shows whether the socket is up from its own onopen; this tells a script it is subscribed
        sessions.get(session.getId()).send(message("connection_status", Map.of("connected", true)));
    }

    @Override
    public void afterConnectionClosed(WebSocketSession session, CloseStatus status) throws Exception {
        synchronized (this) {
            sessions.remove(session.getId());
            if (sessions.isEmpty() && subscription != null) {
                subscription.close();
                subscription = null;
            }
        }
    }

    /** On the events listener's thread: hand over at once. */
    private void onEvent(JobEvent event) {
        try {
            framer.execute(() -> {
                String raw = message("job_event", event);
                Optional<String> update = statusChange(event) ? jobAfter(event).map(job -> message("job_update", job))
                        : Optional.empty();
                for (SocketSender sender : Set.copyOf(sessions.values())) {
                    update.ifPresent(sender::send);
                    sender.send(raw);
                }
            });
        } catch (RejectedExecutionException e) {
            log.warn("/ws: {} events wait to be sent; job {} event {} is not sent", MAX_WAITING_EVENTS, event.jobId(),
                    event.seq());
        }
    }

    private static boolean statusChange(JobEvent event) {
        return event instanceof JobEvent.JobStarted || event.terminal();
    }

    /**
     * The job as {@code GET /api/v1/jobs/{id}} shows it, with the event's status and error: the status writer may
     * not have stored this event yet, and Mule v2's UI replaces its row by what it is sent.
     */
    private Optional<Job> jobAfter(JobEvent event) {
        Optional<Job> stored = jobs.find(UUID.fromString(event.jobId()));
        return stored.map(j -> j.progressed(event.jobStatus().wire(),
                event instanceof JobEvent.JobFailed failed ? failed.error() : j.errorMessage(),
                j.startedAt() == null ? event.at() : j.startedAt(),
                event.terminal() && j.completedAt() == null ? event.at() : j.completedAt(), event.at()));
    }

    private static String message(String type, Object data) {
        return "{\"type\":\"" + type + "\",\"data\":" + SseStream.json(data) + ",\"timestamp\":\""
                + Instant.now() + "\"}";
    }

    int openSessions() {
        return sessions.size();
    }

    @jakarta.annotation.PreDestroy
    void stop() {
        framer.shutdownNow();
    }
}
