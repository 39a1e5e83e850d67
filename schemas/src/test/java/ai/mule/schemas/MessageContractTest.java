package ai.mule.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class MessageContractTest {

    private static final JsonSchemaFactory SCHEMAS = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012,
            builder -> builder.schemaMappers(m -> m.mapPrefix("https://mule.ai/schemas/", "classpath:schemas/")));

    static Stream<Arguments> everyMessageOnItsTopic() {
        List<Arguments> cases = new ArrayList<>();
        cases.add(Arguments.of(Topics.JOB_REQUESTS, Messages.jobRequest()));
        cases.add(Arguments.of(Topics.JOB_REQUESTS, Messages.jobRequestFromIngress()));
        cases.add(Arguments.of(Topics.JOB_REQUESTS, Messages.jobRequest().atCallDepth(2)));
        cases.add(Arguments.of(Topics.STEPS_WASM, Messages.stepCommand()));
        cases.add(Arguments.of(Topics.STEPS_AGENT, StepCommand.of(Messages.JOB, 1, 2, Messages.agentStep(),
                Messages.prompt("HELLO"), Messages.AT, null)));
        cases.add(Arguments.of(Topics.STEPS_AGENT, StepCommand.of(Messages.JOB, 1, 1, Messages.agentStepWithTools(),
                Messages.prompt("HELLO"), Messages.AT, null)));
        cases.add(Arguments.of(Topics.STEPS_WASM, StepCommand.of(Messages.JOB, 0, 2, Messages.wasmStep(),
                Messages.prompt("x"), Messages.AT, Messages.AT.plusSeconds(35))));
        cases.add(Arguments.of(Topics.STEPS_AGENT, StepCommand.of(Messages.JOB, 1, 1, Messages.agentStepWithTools(),
                Messages.prompt("HELLO"), Messages.AT, null, 2)));
        cases.add(Arguments.of(Topics.STEPS_STARTED, StepStarted.of(Messages.stepCommand(), Messages.AT)));
        Messages.stepResults().forEach(r -> cases.add(Arguments.of(Topics.STEP_RESULTS, r)));
        Messages.jobEvents().forEach(e -> cases.add(Arguments.of(Topics.JOB_EVENTS, e)));
        cases.add(Arguments.of(Topics.JOB_CONTROL, Messages.jobControl()));
        cases.add(Arguments.of(Topics.JOB_INGRESS, JobIngressRequest.of("hello", Messages.prompt("World"), "order-42",
                "orders.replies")));
        cases.add(Arguments.of(Topics.JOB_INGRESS, JobIngressRequest.of("hello", null, null, null)));
        cases.add(Arguments.of(Topics.JOB_CHILDREN, JobIngressRequest.child(new WorkflowStep(2, null,
                "6a1f5c0e-0000-4000-8000-0000000000fe", "child", null, null), Messages.prompt("x"),
                new ParentStep(Messages.JOB, 1, 1, "route"), 2)));
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyMessageOnItsTopic")
    @SuppressWarnings({"unchecked", "rawtypes"})
    void messageRoundTripsAndValidatesAgainstItsSchema(Topic topic, Object message) throws IOException {
        byte[] bytes = topic.valueSerde().serializer().serialize(topic.name(), message);

        Object back = topic.valueSerde().deserializer().deserialize(topic.name(), bytes);
        JsonNode json = JsonSerde.mapper().readTree(bytes);

        assertThat(back).isEqualTo(message);
        assertThat(json.get("version").asInt()).isEqualTo(Topics.SCHEMA_VERSION);
        assertThat(violations(topic, json)).isEmpty();
    }

    @Test
    void schemaRejectsAFailedResultWithoutItsError() throws IOException {
        StepResult failed = Messages.stepResults().get(1);
        assertThat(failed.success()).isFalse();
        ObjectNode json = (ObjectNode) JsonSerde.mapper().readTree(
                Topics.STEP_RESULTS.valueSerde().serializer().serialize("t", failed));
        json.remove("error");

        assertThat(violations(Topics.STEP_RESULTS, json)).isNotEmpty();
    }

    @Test
    void schemaRejectsAnAgentStepCarryingAnApiKey() throws IOException {
        ObjectNode json = (ObjectNode) JsonSerde.mapper().readTree(
                Topics.JOB_REQUESTS.valueSerde().serializer().serialize("t", Messages.jobRequest()));
        ((ObjectNode) json.get("steps").get(1)).put("api_key", "sk-secret");

        assertThat(violations(Topics.JOB_REQUESTS, json)).isNotEmpty();
    }

    @Test
    void anAgentStepFromAnOlderGatewayReadsWithDefaults() throws IOException {
        ObjectNode json = (ObjectNode) JsonSerde.mapper().readTree(
                Topics.JOB_REQUESTS.valueSerde().serializer().serialize("t", Messages.jobRequest()));
        ObjectNode agent = (ObjectNode) json.get("steps").get(1);
        assertThat(agent.has("tools")).isTrue();
        agent.remove(List.of("tools", "provider_kind", "temperature", "max_tokens", "max_tool_calls"));

        JobRequest back = Topics.JOB_REQUESTS.valueSerde().deserializer().deserialize("t",
                JsonSerde.mapper().writeValueAsBytes(json));
        AgentStep step = (AgentStep) back.steps().get(1);
        assertThat(step.tools()).isEmpty();
        assertThat(step.providerKindOrDefault()).isEqualTo("openai");
        assertThat(step.temperature()).isNull();
    }

    @Test
    void schemaRejectsAToolOfUnknownKind() throws IOException {
        ObjectNode json = (ObjectNode) JsonSerde.mapper().readTree(Topics.STEPS_AGENT.valueSerde().serializer()
                .serialize("t", StepCommand.of(Messages.JOB, 1, 1, Messages.agentStepWithTools(), Messages.prompt("x"),
                        Messages.AT, null)));
        ((ObjectNode) json.get("step").get("tools").get(0)).put("kind", "shell");

        assertThat(violations(Topics.STEPS_AGENT, json)).isNotEmpty();
    }

    /** Depth 0, every job a client starts, travels as before; records without it (older writers) read as 0. */
    @Test
    void aCallDepthOfZeroIsLeftOutAndAMissingOneReadsAsZero() throws IOException {
        JsonNode request = JsonSerde.mapper().readTree(
                Topics.JOB_REQUESTS.valueSerde().serializer().serialize("t", Messages.jobRequest()));
        JsonNode command = JsonSerde.mapper().readTree(
                Topics.STEPS_WASM.valueSerde().serializer().serialize("t", Messages.stepCommand()));
        JsonNode deep = JsonSerde.mapper().readTree(
                Topics.JOB_REQUESTS.valueSerde().serializer().serialize("t", Messages.jobRequest().atCallDepth(3)));

        assertThat(request.has("call_depth")).isFalse();
        assertThat(command.has("call_depth")).isFalse();
        assertThat(deep.get("call_depth").asInt()).isEqualTo(3);
        assertThat(Topics.JOB_REQUESTS.valueSerde().deserializer().deserialize("t",
                JsonSerde.mapper().writeValueAsBytes(request)).callDepth()).isZero();
        assertThat(Topics.STEPS_WASM.valueSerde().deserializer().deserialize("t",
                JsonSerde.mapper().writeValueAsBytes(command)).callDepth()).isZero();
    }

    @Test
    void schemaRejectsANegativeCallDepth() throws IOException {
        ObjectNode json = (ObjectNode) JsonSerde.mapper().readTree(
                Topics.STEPS_AGENT.valueSerde().serializer().serialize("t", Messages.stepCommand()));
        json.put("call_depth", -1);

        assertThat(violations(Topics.STEPS_AGENT, json)).isNotEmpty();
    }

    @Test
    void unreadableBytesRaiseASerializationExceptionNamingTheTopic() {
        assertThatThrownBy(() -> Topics.JOB_EVENTS.valueSerde().deserializer().deserialize("mule.jobs.events",
                "{not json".getBytes()))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("mule.jobs.events");
    }

    @Test
    void readersIgnoreFieldsAddedByNewerWriters() {
        byte[] newer = ("{\"version\":2,\"job_id\":\"j\",\"action\":\"CANCEL\",\"reason\":null,"
                + "\"at\":\"2026-11-21T10:15:30Z\",\"added_later\":true}").getBytes();

        JobControl control = Topics.JOB_CONTROL.valueSerde().deserializer().deserialize("t", newer);

        assertThat(control.jobId()).isEqualTo("j");
        assertThat(control.action()).isEqualTo(JobControl.Action.CANCEL);
    }

    @Test
    void schemaRejectsAnIngressRequestWithoutItsWorkflow() throws IOException {
        ObjectNode json = (ObjectNode) JsonSerde.mapper().readTree("{\"input\": {\"prompt\": \"hi\"}}");

        assertThat(violations(Topics.JOB_INGRESS, json)).isNotEmpty();
    }

    @Test
    void topicNamesFollowOneScheme() {
        assertThat(Topics.all()).extracting(Topic::name)
                .allMatch(name -> name.matches("mule(\\.[a-z]+)+"))
                .doesNotHaveDuplicates();
    }

    private static Set<ValidationMessage> violations(Topic<?, ?> topic, JsonNode json) {
        JsonSchema schema = SCHEMAS.getSchema(SchemaLocation.of("https://mule.ai/" + topic.schemaResource()));
        return schema.validate(json);
    }
}
