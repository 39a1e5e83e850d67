package ai.mule.gateway.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.mule.gateway.web.TomcatAsyncTimeouts;
import ai.mule.schemas.JsonSerde;
import jakarta.servlet.ServletRegistration;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.lang.reflect.Field;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.coyote.AbstractProcessor;
import org.apache.coyote.AbstractProtocol;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.web.embedded.tomcat.TomcatServletWebServerFactory;
import org.springframework.boot.web.embedded.tomcat.TomcatWebServer;
import org.springframework.http.ResponseEntity;

/**
 * A sync call's late answer over a real Tomcat, when Tomcat's async timeout thread comes late to the processor of the
 * call before it on the connection (see {@link TomcatAsyncTimeouts}). The test plays that thread: it holds the first
 * call's processor, as the thread holds what it iterates, and times it out once the processor may serve the second
 * call, while the second is still in the servlet.
 */
class LateAnswersOnTomcatTest {

    private final LateAnswers lateAnswers = new LateAnswers(JsonSerde.mapper(), new OpenAiExceptionHandler());
    private final BlockingQueue<CompletableFuture<Object>> answers = new LinkedBlockingQueue<>();
    private final CountDownLatch secondInServlet = new CountDownLatch(1);
    private final CountDownLatch staleTimeoutSent = new CountDownLatch(1);
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private TomcatWebServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop();
        }
    }

    @Test
    void theNextCallIsAnsweredWhenATimeoutMeantForTheCallBeforeItArrivesLate() throws Exception {
        TomcatServletWebServerFactory factory = new TomcatServletWebServerFactory(0);
        new TomcatAsyncTimeouts().customize(factory);
        start(factory);

        assertThat(secondCallAfterAStaleTimeout().get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }

    /** The case TomcatAsyncTimeouts is for: should this fail, Tomcat no longer loses the call and it can go. */
    @Test
    void tomcatAloneLosesThatCall() throws Exception {
        start(new TomcatServletWebServerFactory(0));

        CompletableFuture<HttpResponse<String>> second = secondCallAfterAStaleTimeout();
        assertThatThrownBy(() -> second.get(3, TimeUnit.SECONDS)).isInstanceOf(TimeoutException.class);
    }

    private CompletableFuture<HttpResponse<String>> secondCallAfterAStaleTimeout() throws Exception {
        Set<?> waiting = waitingProcessors();
        CompletableFuture<HttpResponse<String>> first = call("first");
        Object firstProcessor = await(waiting);
        answers.take().complete(ResponseEntity.ok(Map.of("call", "first")));
        assertThat(first.get(10, TimeUnit.SECONDS).body()).contains("first");

        CompletableFuture<HttpResponse<String>> second = call("second");
        assertThat(secondInServlet.await(10, TimeUnit.SECONDS)).isTrue();
        ((AbstractProcessor) firstProcessor).timeoutAsync(System.currentTimeMillis());
        staleTimeoutSent.countDown();
        CompletableFuture<Object> secondAnswer = answers.poll(10, TimeUnit.SECONDS);
        await(waiting);
        // the timeout waits for the connection the second call's servlet holds; let it run once the servlet is done
        Thread.sleep(300);
        secondAnswer.complete(ResponseEntity.ok(Map.of("call", "second")));
        return second;
    }

    private void start(TomcatServletWebServerFactory factory) {
        server = (TomcatWebServer) factory.getWebServer(context -> {
            ServletRegistration.Dynamic servlet = context.addServlet("late", new WaitingServlet());
            servlet.setAsyncSupported(true);
            servlet.addMapping("/late");
        });
        server.start();
    }

    /** Answers each call when the test completes its answer, through LateAnswers, as a sync chat completion is. */
    private final class WaitingServlet extends HttpServlet {
        @Override
        protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
            request.getInputStream().readAllBytes();
            if ("second".equals(request.getHeader("X-Call"))) {
                secondInServlet.countDown();
                try {
                    staleTimeoutSent.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            CompletableFuture<Object> answer = new CompletableFuture<>();
            lateAnswers.answerWhenDone(request, response, answer);
            answers.add(answer);
        }
    }

    private CompletableFuture<HttpResponse<String>> call(String name) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.getPort() + "/late"))
                .header("X-Call", name).timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build();
        return client.sendAsync(request, HttpResponse.BodyHandlers.ofString());
    }

    /** Tomcat's processors of async requests, which its timeout thread looks at once a second. */
    private Set<?> waitingProcessors() throws ReflectiveOperationException {
        Field field = AbstractProtocol.class.getDeclaredField("waitingProcessors");
        field.setAccessible(true);
        return (Set<?>) field.get(server.getTomcat().getConnector().getProtocolHandler());
    }

    private static Object await(Set<?> waiting) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (waiting.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertThat(waiting).as("an async request waits").hasSize(1);
        return waiting.iterator().next();
    }
}
