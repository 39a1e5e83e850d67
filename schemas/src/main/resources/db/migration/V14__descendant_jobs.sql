-- A job started by a step (a sub-workflow's child, a job an agent's tool or a module's host function started) names
-- the first job of its line, one that no step started: root_job_id (NULL for a root itself). job_trees counts, per
-- root, the jobs started under it; the gateway adds each job to it in the job's own transaction and refuses one past
-- mule.limits.max-descendant-jobs. A root that started none has no row.
ALTER TABLE jobs ADD COLUMN root_job_id UUID;

CREATE TABLE job_trees (
    root_job_id     UUID PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
    descendant_jobs INTEGER NOT NULL
);
