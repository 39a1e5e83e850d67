package ai.mule.gateway.events;

import ai.mule.gateway.jobs.Job;
import ai.mule.gateway.jobs.JobRepository;
import ai.mule.gateway.web.ApiException;
import ai.mule.gateway.web.Ids;
import ai.mule.schemas.JobEvent;
import ai.mule.schemas.JobStatus;
import ai.mule.schemas.JsonSerde;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyEmitter;

/**
 * {@code GET /api/v1/jobs/{id}/events}: the job's state changes as Server-Sent Events, straight from
 * {@code mule.jobs.events} (no polling). The stream opens with an {@code event: job} carrying the job as it is
 * stored now, then one event per state change, named by its type ({@code step_completed}, {@code job_completed},
 * ...), with {@code id:} the event's sequence number and the event as JSON; it ends after the job's terminal event.
 * A job that has already ended answers its final state and closes.
 *
 * <p>{@code GET /api/v1/jobs/events}: every job's state changes as they happen, the same frames without {@code id:}
 * (a sequence number counts one job's events, not the stream's) and without a snapshot; it ends only at its timeout,
 * or when its client falls too far behind
 * ({@code mule.events.max-pending-bytes}). The dashboard's Jobs list follows every job on it with this one stream.
 */
@RestController
class JobEventStreamController {

    private final JobRepository jobs;
    private final JobEventSubscribers subscribers;
    private final SseStreams streams;

    JobEventStreamController(JobRepository jobs, JobEventSubscribers subscribers, SseStreams streams) {
        this.jobs = jobs;
        this.subscribers = subscribers;
        this.streams = streams;
    }

    /**
     * No {@code produces}: a request that does not accept {@code text/event-stream} would otherwise fall through to
     * {@code GET /api/v1/jobs/{id}} and be told that "events" is not a job id.
     */
    @GetMapping("/api/v1/jobs/events")
    ResponseBodyEmitter allJobsEvents() {
        SseStream stream = streams.open(() -> { });
        stream.onClose(subscribers.subscribeAll(event -> stream.send(SseStream.frame(type(event), null, event))));
        // response headers go out with the first write: a comment now tells the client it is subscribed
        stream.send(": following every job\n\n");
        return stream.emitter();
    }

    @GetMapping(path = "/api/v1/jobs/{id}/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    ResponseBodyEmitter events(@PathVariable String id) {
        UUID jobId = Ids.fromPath(id, "job");
        if (jobs.find(jobId).isEmpty()) {
            throw ApiException.notFound("no job with id '" + id + "'");
        }
        // Subscribe before reading the job: an event that happens in between is then sent too, never lost.
        // Should the end have happened just before the subscription and not be stored yet, the heartbeat's look
        // at the stored job notices it within one interval.
        SseStream[] holder = new SseStream[1];
        SseStream stream = streams.open(() -> endIfStoredAsEnded(holder[0], jobId));
        holder[0] = stream;
        stream.onClose(subscribers.subscribe(jobId.toString(), event -> forward(stream, event)));
        Job job = jobs.find(jobId).orElseThrow(() -> ApiException.notFound("no job with id '" + id + "'"));
        String snapshot = SseStream.frame("job", null, job);
        if (ended(job)) {
            stream.sendLast(List.of(snapshot));
        } else {
            stream.send(snapshot);
        }
        return stream.emitter();
    }

    private static void forward(SseStream stream, JobEvent event) {
        String sse = SseStream.frame(type(event), Long.toString(event.seq()), event);
        if (event.terminal()) {
            stream.sendLast(List.of(sse));
        } else {
            stream.send(sse);
        }
    }

    private void endIfStoredAsEnded(SseStream stream, UUID jobId) {
        if (stream == null || stream.isClosed()) {
            return;
        }
        Optional<Job> job = jobs.find(jobId);
        if (job.isEmpty() || ended(job.get())) {
            stream.sendLast(job.map(j -> List.of(SseStream.frame("job", null, j))).orElse(List.of()));
        }
    }

    private static boolean ended(Job job) {
        return JobStatus.fromWire(job.status()).terminal();
    }

    static String type(JobEvent event) {
        return JsonSerde.mapper().valueToTree(event).path("type").asText("event");
    }
}
