package ai.mule.gateway.openai;

import static org.assertj.core.api.Assertions.assertThat;

import ai.mule.gateway.IntegrationTestBase;
import ai.mule.gateway.JobEvents;
import ai.mule.schemas.JobEvent;
import ai.mule.schemas.JsonSerde;
import ai.mule.schemas.TokenUsage;
import ai.mule.schemas.Topics;
import ai.mule.testkit.TestKafka;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.models.Model;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The official OpenAI Java SDK, unmodified, against the gateway; the test plays the orchestrator. */
class OpenAiSdkIT extends IntegrationTestBase {

    private OpenAIClient sdk;

    @BeforeEach
    void sdk() {
        sdk = OpenAIOkHttpClient.builder().baseUrl("http://127.0.0.1:" + port + "/v1").apiKey("not-needed-on-loopback")
                .maxRetries(0).build();
    }

    @Test
    void listsModels() {
        String workflow = api.oneStepWorkflowName();
        List<String> ids = sdk.models().list().data().stream().map(Model::id).toList();
        assertThat(ids).contains("workflow/" + workflow, "async/workflow/" + workflow);
    }

    @Test
    void answersASyncCallWithTheOutputAndRealTokenCounts() throws Exception {
        String workflow = api.oneStepWorkflowName();
        CompletableFuture<ChatCompletion> call = CompletableFuture.supplyAsync(() -> sdk.chat().completions()
                .create(params("workflow/" + workflow)));
        String jobId = acceptedJob(workflow);
        TestKafka.send(Topics.JOB_EVENTS, jobId, new JobEvent.JobCompleted(Topics.SCHEMA_VERSION, jobId, 3, Instant.now(),
                JsonSerde.mapper().createObjectNode().put("prompt", "HELLO"), new TokenUsage(11, 7, 18)));

        ChatCompletion completion = call.get(20, TimeUnit.SECONDS);
        assertThat(completion.id()).isEqualTo("chatcmpl-" + jobId);
        assertThat(completion.choices().get(0).message().content()).hasValue("HELLO");
        assertThat(completion.usage().orElseThrow().promptTokens()).isEqualTo(11);
        assertThat(completion.usage().orElseThrow().completionTokens()).isEqualTo(7);
        assertThat(completion.usage().orElseThrow().totalTokens()).isEqualTo(18);
    }

    @Test
    void startsAnAsyncWorkflowAndAnswersTheJobId() {
        String workflow = api.oneStepWorkflowName();
        ChatCompletion answer = sdk.chat().completions().create(params("async/workflow/" + workflow));
        assertThat(answer.id()).isEqualTo(acceptedJob(workflow));
    }

    @Test
    void streamsTheOutputAsChunksEndingWithDone() throws Exception {
        String workflow = api.oneStepWorkflowName();
        ChatCompletionCreateParams params = params("workflow/" + workflow).toBuilder()
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build();
        CompletableFuture<List<ChatCompletionChunk>> call = CompletableFuture.supplyAsync(() -> {
            try (StreamResponse<ChatCompletionChunk> stream = sdk.chat().completions().createStreaming(params)) {
                return new ArrayList<>(stream.stream().toList());
            }
        });
        String jobId = acceptedJob(workflow);
        Thread.sleep(200);
        TestKafka.send(Topics.JOB_EVENTS, jobId, JobEvents.stepCompleted(jobId, 2,
                JsonSerde.mapper().createObjectNode().put("x", 1), null, null));
        TestKafka.send(Topics.JOB_EVENTS, jobId, new JobEvent.JobCompleted(Topics.SCHEMA_VERSION, jobId, 3, Instant.now(),
                JsonSerde.mapper().createObjectNode().put("prompt", "STREAMED"), new TokenUsage(2, 3, 5)));

        List<ChatCompletionChunk> chunks = call.get(20, TimeUnit.SECONDS);
        StringBuilder content = new StringBuilder();
        chunks.forEach(c -> c.choices().forEach(choice -> choice.delta().content().ifPresent(content::append)));
        assertThat(content.toString()).isEqualTo("STREAMED");
        assertThat(chunks.get(0).id()).isEqualTo("chatcmpl-" + jobId);
        assertThat(chunks.stream().flatMap(c -> c.choices().stream()).filter(c -> c.finishReason().isPresent())
                .map(c -> c.finishReason().get().asString())).containsExactly("stop");
        assertThat(chunks.get(chunks.size() - 1).usage().orElseThrow().totalTokens()).isEqualTo(5);
    }

    @Test
    void rawStreamEndsWithDoneAndReportsAFailureInStream() throws Exception {
        String workflow = api.oneStepWorkflowName();
        CompletableFuture<ai.mule.gateway.Http.Response> call = CompletableFuture.supplyAsync(() -> http.postRaw(
                "/v1/chat/completions", "{\"model\": \"workflow/" + workflow + "\", \"stream\": true, "
                        + "\"messages\": [{\"role\": \"user\", \"content\": \"x\"}]}"));
        String jobId = acceptedJob(workflow);
        Thread.sleep(200);
        TestKafka.send(Topics.JOB_EVENTS, jobId, new JobEvent.JobFailed(Topics.SCHEMA_VERSION, jobId, 2, Instant.now(),
                "step 1 failed: trapped"));

        ai.mule.gateway.Http.Response response = call.get(20, TimeUnit.SECONDS);
        assertThat(response.contentType()).startsWith("text/event-stream");
        assertThat(response.body()).startsWith("data: {").contains("\"object\":\"chat.completion.chunk\"")
                .contains("data: {\"error\":").contains("step 1 failed: trapped").contains(jobId)
                .endsWith("data: [DONE]\n\n");
    }

    private static ChatCompletionCreateParams params(String model) {
        return ChatCompletionCreateParams.builder().model(model).addUserMessage("hello").build();
    }
}
