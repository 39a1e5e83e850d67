-- Workflow graphs (issue 13): the optional fields of a step beyond Mule v2's ordered list. All NULL = the step
-- runs as before (after the previous step in step_order, on its output).
ALTER TABLE workflow_steps
    ADD COLUMN name           TEXT,
    -- NULL: depends on the previous step (the linear default); '[]': starts from the job input
    ADD COLUMN depends_on     JSONB,
    ADD COLUMN join_policy    TEXT CHECK (join_policy IN ('fail_fast', 'wait_all')),
    ADD COLUMN when_condition TEXT,
    ADD COLUMN for_each       JSONB,
    ADD COLUMN fallback       JSONB;

-- Sub-workflow steps (type 'workflow'): they name their child workflow in config.workflow_id, no agent or module.
ALTER TABLE workflow_steps DROP CONSTRAINT workflow_steps_step_type_check;
ALTER TABLE workflow_steps DROP CONSTRAINT workflow_steps_check;
ALTER TABLE workflow_steps ADD CONSTRAINT workflow_steps_step_type_check
    CHECK (step_type IN ('agent', 'wasm_module', 'workflow'));
ALTER TABLE workflow_steps ADD CONSTRAINT workflow_steps_check
    CHECK ((step_type = 'agent' AND agent_id IS NOT NULL AND wasm_module_id IS NULL)
        OR (step_type = 'wasm_module' AND wasm_module_id IS NOT NULL AND agent_id IS NULL)
        OR (step_type = 'workflow' AND agent_id IS NULL AND wasm_module_id IS NULL));

-- A sub-workflow's child job, linked to the parent job and the step it runs for.
ALTER TABLE jobs
    ADD COLUMN parent_job_id UUID REFERENCES jobs (id) ON DELETE SET NULL,
    ADD COLUMN parent_step   TEXT;
CREATE INDEX jobs_parent_job_id ON jobs (parent_job_id) WHERE parent_job_id IS NOT NULL;
