-- Workflow schedules (gateway package schedules): a cron expression in a time zone starts a workflow with a
-- fixed input. Every gateway runs a scheduler; the database makes each slot fire once among them all.

CREATE TABLE schedules (
    id           UUID PRIMARY KEY,
    workflow_id  UUID NOT NULL REFERENCES workflows (id) ON DELETE CASCADE,
    name         TEXT NOT NULL DEFAULT '',
    cron         TEXT NOT NULL,
    time_zone    TEXT NOT NULL,
    input_data   JSONB NOT NULL DEFAULT '{}'::jsonb,
    -- what a slot that passed while no gateway ran becomes: 'skip' (nothing) or 'run_once' (one job for all)
    missed_runs  TEXT NOT NULL CHECK (missed_runs IN ('skip', 'run_once')),
    enabled      BOOLEAN NOT NULL DEFAULT TRUE,
    -- the next slot to fire; advanced in the transaction that fires a slot; NULL once the cron has no future slot
    next_fire_at TIMESTAMPTZ,
    -- the last slot fired (or refused), for the API and the dashboard
    last_slot    TIMESTAMPTZ,
    last_job_id  UUID,
    last_error   TEXT,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX schedules_workflow ON schedules (workflow_id);
-- the schedulers' one query: due enabled schedules, oldest slot first
CREATE INDEX schedules_due ON schedules (next_fire_at) WHERE enabled;

-- One row per fired slot, written in the transaction that creates the slot's job and its outbox row: the
-- primary key is the last guard that a slot never starts two jobs, whatever the schedulers race.
CREATE TABLE schedule_runs (
    schedule_id UUID NOT NULL REFERENCES schedules (id) ON DELETE CASCADE,
    slot        TIMESTAMPTZ NOT NULL,
    -- the job the slot started; NULL when the job was refused (error says why)
    job_id      UUID,
    -- how many slots this run stands for: 1, or every slot a 'run_once' schedule missed
    slots       INTEGER NOT NULL DEFAULT 1,
    error       TEXT,
    fired_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (schedule_id, slot)
);

-- Jobs a schedule started say which schedule and which slot.
ALTER TABLE jobs ADD COLUMN schedule_id UUID;
ALTER TABLE jobs ADD COLUMN schedule_slot TIMESTAMPTZ;
