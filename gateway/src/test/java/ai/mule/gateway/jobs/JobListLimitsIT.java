package ai.mule.gateway.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import ai.mule.gateway.Http;
import ai.mule.gateway.IntegrationTestBase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * A job list's queries read as much of the jobs table as its filters make them (a search over 2,000,000 jobs took
 * 2.6 s), so lists run a few at a time and each query for a bounded time, leaving the pool's other connections to
 * job acceptance. Here the lists are made slow by a lock on the table, held by another connection.
 */
class JobListLimitsIT extends IntegrationTestBase {

    @Test
    void listsBeyondTheirConcurrencyAreRefusedAndAListOverItsTimeIsStoppedSayingHowToNarrowIt() throws Exception {
        List<Http.Response> answers;
        try (Connection locker = DriverManager.getConnection(DB.jdbcUrl(), DB.username(), DB.password());
             Statement statement = locker.createStatement()) {
            locker.setAutoCommit(false);
            statement.execute("LOCK TABLE jobs IN ACCESS EXCLUSIVE MODE");

            // one more than mule.job-list.concurrency (4), all at once
            ExecutorService clients = Executors.newFixedThreadPool(5);
            try {
                List<CompletableFuture<Http.Response>> lists = IntStream.range(0, 5).mapToObj(i ->
                        CompletableFuture.supplyAsync(() -> http.get("/api/v1/jobs?search=any" + i), clients)).toList();
                answers = lists.stream().map(CompletableFuture::join).toList();
            } finally {
                clients.shutdown();
                locker.rollback();
            }
        }

        assertThat(answers).allSatisfy(answer -> assertThat(answer.status()).as(answer.toString()).isEqualTo(503));
        assertThat(answers).filteredOn(answer -> answer.body().contains("mule.job-list.concurrency"))
                .as("refused at once, to come back later").hasSizeGreaterThanOrEqualTo(1)
                .allSatisfy(answer -> assertThat(answer.header("Retry-After")).isEqualTo("1"));
        assertThat(answers).filteredOn(answer -> answer.body().contains("mule.job-list.timeout"))
                .as("stopped after 5 s").hasSizeGreaterThanOrEqualTo(1)
                .allSatisfy(answer -> assertThat(answer.json().path("detail").asText()).isEqualTo("listing the jobs "
                        + "took longer than 5 s (mule.job-list.timeout) and was stopped: narrow it with status or "
                        + "workflow_name, search a longer text, or read an earlier page"));
        Http.Response after = http.get("/api/v1/jobs?search=any");
        assertThat(after.status()).as("the lists' places are free again").isEqualTo(200);
    }
}
