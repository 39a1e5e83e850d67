-- A step of a workflow graph whose condition is false (or whose dependencies were all skipped) is recorded as
-- 'skipped', with the reason in error_message.
ALTER TABLE job_steps DROP CONSTRAINT IF EXISTS job_steps_status_check;
ALTER TABLE job_steps ADD CONSTRAINT job_steps_status_check
    CHECK (status IN ('queued', 'running', 'completed', 'failed', 'cancelled', 'skipped'));
