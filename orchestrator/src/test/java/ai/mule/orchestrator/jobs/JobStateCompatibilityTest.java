package ai.mule.orchestrator.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import ai.mule.orchestrator.Results;
import ai.mule.schemas.AgentStep;
import ai.mule.schemas.JobEvent;
import ai.mule.schemas.JobStatus;
import ai.mule.schemas.JsonSerde;
import ai.mule.schemas.StepCommand;
import ai.mule.schemas.TokenUsage;
import ai.mule.schemas.WasmStep;
import ai.mule.tracing.TraceContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Job states as the previous version stored them (one flat record of fifteen fields) in RocksDB and the
 * changelog: a restarted orchestrator reads them, carries their jobs on, and writes the same shape back, so that
 * the previous version could read its states too.
 */
class JobStateCompatibilityTest {

    /**
     * Written by the previous version's JsonSerde from a running job: step 2 of 2, attempt 2, with tokens (the
     * bytes were one line; indented here to be read).
     */
    static final String RUNNING = """
            {
              "job_id": "0b6f3a52-3f0e-4a8e-9a57-1f6c2f0d9e11",
              "workflow_name": "test-workflow",
              "steps": [
                {
                  "type": "wasm_module",
                  "step_order": 10,
                  "workflow_step_id": "e2de037e-71ae-43ed-aac0-2c75f880b83a",
                  "module_id": "3564b728-8401-4845-bfbe-390c45d8aeb8",
                  "module_name": "upper",
                  "sha256": "abababababababababababababababababababababababababababababababab",
                  "config": {
                    "mode": "test"
                  },
                  "policy": {
                    "max_attempts": 3,
                    "initial_backoff_ms": 400,
                    "backoff_multiplier": 2.0,
                    "max_backoff_ms": 10000,
                    "timeout_ms": 5000,
                    "retry_step_failures": false
                  }
                },
                {
                  "type": "agent",
                  "step_order": 20,
                  "workflow_step_id": "722f13d8-8b29-4de8-9255-fe262c66a075",
                  "agent_id": "77811e20-a9bd-41db-bc0a-a1c5c06f43e6",
                  "agent_name": "poet",
                  "provider_id": "a7f1027f-b324-41f3-9b7e-72a1405c550f",
                  "api_base_url": "http://127.0.0.1:11434/v1",
                  "model": "test-model",
                  "system_prompt": "Answer briefly.",
                  "config": {},
                  "policy": {
                    "max_attempts": 3,
                    "initial_backoff_ms": 1000,
                    "backoff_multiplier": 2.0,
                    "max_backoff_ms": 30000,
                    "timeout_ms": 120000,
                    "retry_step_failures": false
                  },
                  "tools": []
                }
              ],
              "status": "running",
              "step_index": 1,
              "attempt": 2,
              "last_seq": 5,
              "step_input": {
                "prompt": "HELLO"
              },
              "step_deadline": "2026-03-01T12:00:35Z",
              "job_deadline": "2026-03-01T13:00:00Z",
              "step_grace_ms": 5000,
              "reply_topic": "replies.test",
              "usage": {
                "prompt_tokens": 10,
                "completion_tokens": 5,
                "total_tokens": 15
              }
            }""";

    /** Written by the previous version for a job cancelled before its request arrived. */
    static final String CANCELLED_UNSEEN = """
            {
              "job_id": "5d1c8f0e-8d57-4bd5-b8a4-6a0f3c2e7b90",
              "steps": [],
              "status": "cancelled",
              "step_index": 0,
              "attempt": 0,
              "last_seq": 1,
              "finished_at": "2026-03-01T12:00:01Z",
              "step_grace_ms": 0
            }""";

    private final JsonSerde<JobState> serde = new JsonSerde<>(JobState.class);

    @TempDir
    Path stateDir;

    @Test
    void readsAStateThePreviousVersionWrote() {
        JobState state = read(RUNNING);

        JobSnapshot snapshot = state.snapshot();
        assertThat(snapshot.jobId()).isEqualTo("0b6f3a52-3f0e-4a8e-9a57-1f6c2f0d9e11");
        assertThat(snapshot.workflowName()).isEqualTo("test-workflow");
        assertThat(snapshot.steps()).hasSize(2);
        assertThat(snapshot.steps().get(0)).isInstanceOf(WasmStep.class);
        assertThat(snapshot.steps().get(0).policy().maxAttempts()).isEqualTo(3);
        assertThat(snapshot.steps().get(1)).isInstanceOf(AgentStep.class);
        assertThat(snapshot.jobDeadline()).isEqualTo(Instant.parse("2026-03-01T13:00:00Z"));
        assertThat(snapshot.stepGraceMs()).isEqualTo(5000);
        assertThat(snapshot.replyTopic()).isEqualTo("replies.test");
        assertThat(snapshot.trace()).as("states were written without a trace context").isNull();
        assertThat(snapshot.callDepth()).as("states were written without a call depth: a client's job").isZero();
        JobProgress progress = state.progress();
        assertThat(progress.status()).isEqualTo(JobStatus.RUNNING);
        assertThat(progress.stepIndex()).isEqualTo(1);
        assertThat(progress.attempt()).isEqualTo(2);
        assertThat(progress.lastSeq()).isEqualTo(5);
        assertThat(progress.finishedAt()).isNull();
        assertThat(progress.stepInput().path("prompt").asText()).isEqualTo("HELLO");
        assertThat(progress.stepDeadline()).isEqualTo(Instant.parse("2026-03-01T12:00:35Z"));
        assertThat(progress.retryAt()).isNull();
        assertThat(progress.usage()).isEqualTo(new TokenUsage(10, 5, 15));
        assertThat(state.wakeAt()).isEqualTo(progress.stepDeadline());

        JobState cancelled = read(CANCELLED_UNSEEN);
        assertThat(cancelled.snapshot()).isEqualTo(JobSnapshot.unseen("5d1c8f0e-8d57-4bd5-b8a4-6a0f3c2e7b90"));
        assertThat(cancelled.progress()).isEqualTo(
                JobProgress.endedUnseen(JobStatus.CANCELLED, Instant.parse("2026-03-01T12:00:01Z")).withLastSeq(1));
    }

    @Test
    void writesTheSameJsonThePreviousVersionWrote() throws Exception {
        for (String old : List.of(RUNNING, CANCELLED_UNSEEN)) {
            byte[] written = serde.serializer().serialize("changelog", read(old));

            JsonNode json = JsonSerde.mapper().readTree(written);
            assertThat(json).isEqualTo(JsonSerde.mapper().readTree(old));
        }
    }

    @Test
    void aStateKeepsItsJobsTraceContextForAboutEightyBytes() throws Exception {
        JobState old = read(RUNNING);
        JobState traced = old.tracedBy(new TraceContext("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
                null));

        byte[] before = serde.serializer().serialize("changelog", old);
        byte[] after = serde.serializer().serialize("changelog", traced);

        assertThat(serde.deserializer().deserialize("changelog", after)).isEqualTo(traced);
        // ,"trace":{"traceparent":"<55 characters>"}: what tracing adds to each write of a running job's state
        assertThat(after.length - before.length).isEqualTo(82);
        JsonNode json = JsonSerde.mapper().readTree(after);
        assertThat(json.path("trace").path("traceparent").asText()).startsWith("00-0af7651916cd43dd");
        assertThat(json.path("trace").has("tracestate")).as("null fields are not written").isFalse();
    }

    @Test
    void aRestartedOrchestratorCarriesOnAJobFromAnOldState() {
        JobState old = read(RUNNING);
        try (OrchestratorDriver orchestrator = new OrchestratorDriver(stateDir)) {
            orchestrator.restore(old);
            StepCommand awaited = StepCommand.of(old.jobId(), 1, 2, old.snapshot().steps().get(1),
                    old.progress().stepInput(), OrchestratorDriver.START, old.progress().stepDeadline());

            orchestrator.result(Results.succeeded(awaited, JsonSerde.mapper().getNodeFactory().textNode("a poem"),
                    null, null, 10, OrchestratorDriver.START, new TokenUsage(1, 2, 3)));

            List<JobEvent> events = orchestrator.events();
            assertThat(events).extracting(e -> e.getClass().getSimpleName())
                    .containsExactly("StepCompleted", "JobCompleted");
            assertThat(events).extracting(JobEvent::seq).containsExactly(6L, 7L);
            assertThat(((JobEvent.JobCompleted) events.get(1)).usage()).isEqualTo(new TokenUsage(11, 7, 18));
            assertThat(orchestrator.replies("replies.test")).hasSize(1);
            assertThat(orchestrator.state(old.jobId()).status()).isEqualTo(JobStatus.COMPLETED);
        }
    }

    @Test
    void aStateKeepsItsCallDepthAndARestartedOrchestratorSendsTheNextStepAtIt() throws Exception {
        ObjectNode json = (ObjectNode) JsonSerde.mapper().readTree(RUNNING);
        json.put("step_index", 0).put("attempt", 1).put("call_depth", 2);
        JobState deep = read(json.toString());
        assertThat(deep.snapshot().callDepth()).isEqualTo(2);
        assertThat(JsonSerde.mapper().readTree(serde.serializer().serialize("changelog", deep))).isEqualTo(json);

        try (OrchestratorDriver orchestrator = new OrchestratorDriver(stateDir)) {
            orchestrator.restore(deep);
            StepCommand awaited = StepCommand.of(deep.jobId(), 0, 1, deep.snapshot().steps().get(0),
                    deep.progress().stepInput(), OrchestratorDriver.START, deep.progress().stepDeadline());

            orchestrator.result(Results.succeeded(awaited, JsonSerde.mapper().getNodeFactory().textNode("HELLO"),
                    null, null, 10, OrchestratorDriver.START));

            assertThat(orchestrator.agentCommands()).singleElement().satisfies(next -> {
                assertThat(next.stepIndex()).isEqualTo(1);
                assertThat(next.callDepth()).isEqualTo(2);
            });
        }
    }

    private JobState read(String json) {
        return serde.deserializer().deserialize("changelog", json.getBytes(StandardCharsets.UTF_8));
    }
}
