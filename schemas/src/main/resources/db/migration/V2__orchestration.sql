-- The orchestrator's additions: step policies settable per workflow step, every attempt of a job's step with
-- its error and timing, and where a job came from (Kafka ingress).

-- Retry and timeout policy of a workflow step; NULL = the default of the step's type (see StepPolicy).
ALTER TABLE workflow_steps
    ADD COLUMN max_attempts        INTEGER CHECK (max_attempts BETWEEN 1 AND 100),
    ADD COLUMN initial_backoff_ms  BIGINT CHECK (initial_backoff_ms BETWEEN 0 AND 86400000),
    ADD COLUMN backoff_multiplier  DOUBLE PRECISION CHECK (backoff_multiplier BETWEEN 1 AND 100),
    ADD COLUMN max_backoff_ms      BIGINT CHECK (max_backoff_ms BETWEEN 0 AND 86400000),
    ADD COLUMN timeout_ms          BIGINT CHECK (timeout_ms BETWEEN 1 AND 86400000),
    ADD COLUMN retry_step_failures BOOLEAN;

-- The last failure of a step (kept while it is retried) and when its next attempt is due.
ALTER TABLE job_steps
    ADD COLUMN failure_kind    TEXT,
    ADD COLUMN next_attempt_at TIMESTAMPTZ;

-- One row per attempt of a job's step, written by the job status writer from the job events.
CREATE TABLE job_step_attempts (
    job_id          UUID NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    step_index      INTEGER NOT NULL,
    attempt         INTEGER NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('running', 'completed', 'failed', 'cancelled')),
    error_message   TEXT,
    failure_kind    TEXT,
    duration_micros BIGINT,
    started_at      TIMESTAMPTZ,
    completed_at    TIMESTAMPTZ,
    PRIMARY KEY (job_id, step_index, attempt)
);
