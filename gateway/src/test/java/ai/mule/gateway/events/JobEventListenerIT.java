package ai.mule.gateway.events;

import static org.assertj.core.api.Assertions.assertThat;

import ai.mule.gateway.IntegrationTestBase;
import ai.mule.gateway.JobEvents;
import ai.mule.schemas.JobEvent;
import ai.mule.schemas.JsonSerde;
import ai.mule.schemas.Topic;
import ai.mule.schemas.Topics;
import ai.mule.testkit.TestKafka;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** The listener sync calls wait on reads past whatever one event holds: unreadable, nested too deeply, or huge. */
class JobEventListenerIT extends IntegrationTestBase {

    private static final Topic<String, byte[]> RAW_EVENTS =
            new Topic<>(Topics.JOB_EVENTS.name(), Serdes.String(), Serdes.ByteArray(), null);

    @Autowired
    JobWaiters waiters;

    @Test
    void skipsEventsItCannotReadAndDeliversHugeOnesAndTheEnd() throws Exception {
        String jobId = UUID.randomUUID().toString();
        List<JobEvent> seen = new CopyOnWriteArrayList<>();
        CompletableFuture<JobEvent> end = waiters.register(jobId, seen::add);
        ObjectNode hugeOutput = JsonSerde.mapper().createObjectNode().put("message", "m".repeat(900_000));
        String deep = "{\"version\": 1, \"type\": \"step_completed\", \"job_id\": \"" + jobId + "\", \"output\": "
                + "[".repeat(5_000) + "]".repeat(5_000) + "}";

        TestKafka.send(RAW_EVENTS, jobId, "not json at all".getBytes(StandardCharsets.UTF_8));
        TestKafka.send(RAW_EVENTS, jobId, "{\"type\": \"no_such_event\"}".getBytes(StandardCharsets.UTF_8));
        TestKafka.send(RAW_EVENTS, jobId, deep.getBytes(StandardCharsets.UTF_8));
        TestKafka.send(Topics.JOB_EVENTS, jobId, JobEvents.stepCompleted(jobId, 2, hugeOutput, null, null));
        TestKafka.send(Topics.JOB_EVENTS, jobId, JobEvents.jobCompleted(jobId, 3, "done", null));

        JobEvent last = end.get(20, TimeUnit.SECONDS);
        assertThat(last).isInstanceOf(JobEvent.JobCompleted.class);
        assertThat(seen).singleElement().isInstanceOfSatisfying(JobEvent.StepCompleted.class,
                step -> assertThat(step.output().get("message").asText()).hasSize(900_000));
        assertThat(http.get("/health").status()).as("the listener never stopped reading").isEqualTo(200);
    }
}
