package ai.mule.gateway.jobs;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import java.util.List;

/**
 * One job as {@code GET /api/v1/jobs/{id}} answers it: the job's fields as ever, plus {@code children}, the child
 * jobs its sub-workflow steps started (empty for most jobs).
 */
record JobWithChildren(@JsonUnwrapped Job job, List<ChildJob> children) {
}
