package ai.mule.schemas;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.time.Instant;
import java.util.List;

/** One realistic example of every message, for the contract tests. */
final class Messages {

    static final Instant AT = Instant.parse("2026-11-21T10:15:30.123Z");
    static final String JOB = "0b4c7c1e-5d7a-4f7e-9d55-3f2f6a0e8a11";

    private Messages() {
    }

    static JsonNode prompt(String text) {
        return JsonNodeFactory.instance.objectNode().put("prompt", text);
    }

    static WasmStep wasmStep() {
        return new WasmStep(1, "6a1f5c0e-0000-4000-8000-000000000001", "6a1f5c0e-0000-4000-8000-00000000000a",
                "upper", "a".repeat(64), JsonNodeFactory.instance.objectNode().put("suffix", "!"));
    }

    static AgentStep agentStep() {
        return new AgentStep(2, "6a1f5c0e-0000-4000-8000-000000000002", "6a1f5c0e-0000-4000-8000-00000000000b",
                "writer", "6a1f5c0e-0000-4000-8000-00000000000c", "http://127.0.0.1:11434/v1", "gpt-4o-mini",
                "You write haiku.", JsonNodeFactory.instance.objectNode(), new StepPolicy(5, 1000, 3.0, 60_000, 90_000, true));
    }

    /** An agent step with everything issue 6 added: provider kind, sampling settings and tools. */
    static AgentStep agentStepWithTools() {
        AgentStep base = agentStep();
        return new AgentStep(base.stepOrder(), base.workflowStepId(), base.agentId(), base.agentName(), base.providerId(),
                "http://127.0.0.1:11434", base.model(), base.systemPrompt(), base.config(), base.policy(), "ollama", 0.2,
                256, 5, List.of(new AgentTool("fetch", AgentTool.Kind.HTTP_FETCH, "Fetches a web page", null,
                        JsonNodeFactory.instance.objectNode().set("allowed_hosts",
                                JsonNodeFactory.instance.arrayNode().add("example.com"))),
                new AgentTool("shout", AgentTool.Kind.WASM_MODULE, "Upper-cases text",
                        JsonNodeFactory.instance.objectNode().put("type", "object"),
                        JsonNodeFactory.instance.objectNode().put("module_id", "6a1f5c0e-0000-4000-8000-00000000000a"))));
    }

    static JobRequest jobRequest() {
        return JobRequest.of(JOB, "6a1f5c0e-0000-4000-8000-0000000000ff", "hello", List.of(wasmStep(), agentStep()),
                prompt("World"), AT);
    }

    static JobRequest jobRequestFromIngress() {
        return jobRequest().with(AT.plusSeconds(300), "orders.replies");
    }

    static StepCommand stepCommand() {
        return StepCommand.of(JOB, 0, 1, wasmStep(), prompt("World"), AT, null);
    }

    static List<StepResult> stepResults() {
        StepCommand command = stepCommand();
        return List.of(
                StepResult.succeeded(command, JsonNodeFactory.instance.textNode("HELLO"), "{\"message\":\"HELLO\"}", "",
                        35, AT, null),
                StepResult.failed(command, FailureKind.MODULE_FAILED, "module returned success: false: bad input",
                        "{\"success\":false}", "", 12, AT),
                StepResult.succeeded(StepCommand.of(JOB, 1, 2, agentStep(), prompt("HELLO"), AT, null),
                        JsonNodeFactory.instance.textNode("a haiku"), null, null, 900_000, AT, new TokenUsage(12, 7, 19)));
    }

    static JobControl jobControl() {
        return JobControl.cancel(JOB, "cancelled by user", AT);
    }

    /** The first attempt of the job's first step, as its step events name it. */
    static StepRef firstStep() {
        return new StepRef(0, 1, "6a1f5c0e-0000-4000-8000-000000000001", 1);
    }

    /** Attempt {@code attempt} of the job's second step. */
    static StepRef secondStep(int attempt) {
        return new StepRef(1, 2, "6a1f5c0e-0000-4000-8000-000000000002", attempt);
    }

    static List<JobEvent> jobEvents() {
        int v = Topics.SCHEMA_VERSION;
        return List.of(
                new JobEvent.JobStarted(v, JOB, 1, AT, "hello", 2),
                new JobEvent.StepStarted(v, JOB, 2, AT, firstStep(), prompt("World")),
                new JobEvent.StepCompleted(v, JOB, 3, AT, firstStep(), JsonNodeFactory.instance.textNode("HELLO"), 35,
                        null, null, null),
                new JobEvent.StepFailed(v, JOB, 4, AT, secondStep(1), "trap: unreachable", 12, null, null, null),
                new JobEvent.StepFailed(v, JOB, 4, AT, secondStep(3), "runner lost", 0, FailureKind.RUNNER_LOST, null,
                        null),
                new JobEvent.StepCompleted(v, JOB, 3, AT, firstStep(), JsonNodeFactory.instance.textNode("HELLO"), 35,
                        null, "{\"message\":\"HELLO\"}", "greeting World\n"),
                new JobEvent.StepFailed(v, JOB, 4, AT, secondStep(1), "module returned success: false: bad input", 12,
                        FailureKind.MODULE_FAILED, "{\"success\":false}", "bad input\n"),
                new JobEvent.StepRetrying(v, JOB, 4, AT, secondStep(1), "provider answered 503",
                        FailureKind.PROVIDER_UNAVAILABLE, 1200, AT.plusMillis(1000)),
                new JobEvent.StepSkipped(v, JOB, 4, AT, secondStep(1), "its condition is false: input.x == 1"),
                new JobEvent.StepStarted(v, JOB, 5, AT, new StepRef(0, 1, null, 1), prompt("World")),
                new JobEvent.JobCompleted(v, JOB, 5, AT, prompt("HELLO"), new TokenUsage(12, 7, 19)),
                new JobEvent.JobFailed(v, JOB, 6, AT, "step 2 failed: trap: unreachable"),
                new JobEvent.JobCancelled(v, JOB, 7, AT, "cancelled by user"));
    }
}
