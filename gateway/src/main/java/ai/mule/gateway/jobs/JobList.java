package ai.mule.gateway.jobs;

import ai.mule.gateway.web.ApiException;
import ai.mule.gateway.web.PageResponse;
import ai.mule.gateway.web.Paging;
import ai.mule.schemas.JobStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import javax.sql.DataSource;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The job list ({@code GET /api/v1/jobs}): a page of jobs, newest first, and their total count, under the caller's
 * filters. Those filters decide how much of the jobs table the two queries read (a {@code search} or a deep page
 * reads all of it), so the list runs at most {@link JobListProperties#concurrency()} at once and each query at most
 * {@link JobListProperties#timeout()}: however many lists arrive, the gateway's other connections stay free to accept
 * jobs.
 */
@Component
class JobList {

    private final JdbcClient jdbc;
    private final JobListProperties properties;
    private final Semaphore running;

    JobList(DataSource dataSource, JobListProperties properties) {
        JdbcTemplate template = new JdbcTemplate(dataSource);
        template.setQueryTimeout((int) properties.timeout().toSeconds());
        this.jdbc = JdbcClient.create(template);
        this.properties = properties;
        this.running = new Semaphore(properties.concurrency());
    }

    PageResponse<Job> page(Filter filter, Paging paging) {
        if (!running.tryAcquire()) {
            throw ApiException.tryLater(HttpStatus.SERVICE_UNAVAILABLE, properties.concurrency()
                    + " job lists are being read at once (mule.job-list.concurrency); try again in a moment", 1);
        }
        try {
            return PageResponse.of(list(filter, paging), paging, count(filter));
        } catch (QueryTimeoutException e) {
            throw new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "listing the jobs took longer than "
                    + properties.timeout().toSeconds() + " s (mule.job-list.timeout) and was stopped: narrow it "
                    + "with status or workflow_name, search a longer text, or read an earlier page");
        } finally {
            running.release();
        }
    }

    private List<Job> list(Filter filter, Paging paging) {
        List<Object> params = new ArrayList<>(filter.params());
        params.add(paging.pageSize());
        params.add(paging.offset());
        return jdbc.sql("SELECT " + JobRepository.COLUMNS + " FROM jobs" + filter.where()
                        + " ORDER BY created_at DESC, id LIMIT ? OFFSET ?")
                .params(params)
                .query(JobRepository::map)
                .list();
    }

    private long count(Filter filter) {
        return jdbc.sql("SELECT count(*) FROM jobs" + filter.where()).params(filter.params()).query(Long.class).single();
    }

    /** The optional filters of the job list, as a WHERE clause and its parameters. */
    record Filter(String where, List<Object> params) {

        static Filter of(JobStatus status, String workflowName, String search) {
            List<String> conditions = new ArrayList<>();
            List<Object> params = new ArrayList<>();
            if (status != null) {
                conditions.add("status = ?");
                params.add(status.wire());
            }
            if (workflowName != null && !workflowName.isEmpty()) {
                conditions.add("workflow_name = ?");
                params.add(workflowName);
            }
            if (search != null && !search.isBlank()) {
                conditions.add("(workflow_name ILIKE ? ESCAPE '\\' OR CAST(id AS TEXT) LIKE ?)");
                params.add("%" + escapeLike(search.trim()) + "%");
                params.add(escapeLike(search.trim().toLowerCase()) + "%");
            }
            String where = conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions);
            return new Filter(where, params);
        }

        private static String escapeLike(String value) {
            return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
        }
    }
}
