-- How many jobs the sub-workflow steps of one job (a root: no sub-workflow step started it) and of its sub-workflow
-- jobs have started, their children's children included: the gateway counts each child job it makes here, in the
-- child's own transaction, and refuses one past mule.limits.max-sub-workflow-jobs. A row per root that has started
-- any; roots without one have started none.
CREATE TABLE job_trees (
    root_job_id       UUID PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
    sub_workflow_jobs INTEGER NOT NULL
);
