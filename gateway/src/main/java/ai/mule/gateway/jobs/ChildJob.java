package ai.mule.gateway.jobs;

import java.util.UUID;

/** A child job of a sub-workflow step, as its parent job lists it ({@code GET /api/v1/jobs/{id}}: {@code children}). */
public record ChildJob(UUID id, String parentStep, UUID workflowId, String workflowName, String status) {
}
