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
