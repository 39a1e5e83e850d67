-- Mule v2's data model, kept column for column where users rely on it, plus what the pipeline needs:
-- a module's sha256 (runners fetch bytes content-addressed), the outbox, and per-job event sequence
-- numbers so that the job status writer applies each event exactly once.

CREATE TABLE providers (
    id           UUID PRIMARY KEY,
    name         TEXT NOT NULL UNIQUE,
    api_base_url TEXT NOT NULL,
    api_key      TEXT,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE agents (
    id            UUID PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    description   TEXT NOT NULL DEFAULT '',
    provider_id   UUID NOT NULL REFERENCES providers (id),
    model_id      TEXT NOT NULL,
    system_prompt TEXT NOT NULL DEFAULT '',
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE workflows (
    id          UUID PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    is_async    BOOLEAN NOT NULL DEFAULT FALSE,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE wasm_modules (
    id          UUID PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    module_data BYTEA NOT NULL,
    sha256      CHAR(64) NOT NULL,
    config      JSONB NOT NULL DEFAULT '{}'::jsonb,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX wasm_modules_sha256 ON wasm_modules (sha256);

CREATE TABLE workflow_steps (
    id             UUID PRIMARY KEY,
    workflow_id    UUID NOT NULL REFERENCES workflows (id) ON DELETE CASCADE,
    step_order     INTEGER NOT NULL,
    step_type      TEXT NOT NULL CHECK (step_type IN ('agent', 'wasm_module')),
    agent_id       UUID REFERENCES agents (id),
    wasm_module_id UUID REFERENCES wasm_modules (id),
    config         JSONB NOT NULL DEFAULT '{}'::jsonb,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (workflow_id, step_order),
    CHECK ((step_type = 'agent' AND agent_id IS NOT NULL AND wasm_module_id IS NULL)
        OR (step_type = 'wasm_module' AND wasm_module_id IS NOT NULL AND agent_id IS NULL))
);

-- A job keeps its workflow's name: jobs run on a snapshot, so deleting the workflow leaves them readable.
CREATE TABLE jobs (
    id                UUID PRIMARY KEY,
    workflow_id       UUID REFERENCES workflows (id) ON DELETE SET NULL,
    workflow_name     TEXT NOT NULL,
    wasm_module_id    UUID REFERENCES wasm_modules (id) ON DELETE SET NULL,
    agent_id          UUID REFERENCES agents (id) ON DELETE SET NULL,
    status            TEXT NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'failed', 'cancelled')),
    input_data        JSONB NOT NULL DEFAULT '{}'::jsonb,
    output_data       JSONB,
    error_message     TEXT,
    working_directory TEXT NOT NULL DEFAULT '',
    source            TEXT NOT NULL DEFAULT 'api',
    last_event_seq    BIGINT NOT NULL DEFAULT 0,
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    started_at        TIMESTAMPTZ,
    completed_at      TIMESTAMPTZ,
    updated_at        TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX jobs_created_at ON jobs (created_at DESC);
CREATE INDEX jobs_status ON jobs (status);

CREATE TABLE job_steps (
    id               UUID PRIMARY KEY,
    job_id           UUID NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    workflow_step_id UUID,
    step_index       INTEGER NOT NULL,
    step_order       INTEGER NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'failed', 'cancelled')),
    attempt          INTEGER NOT NULL DEFAULT 1,
    input_data       JSONB,
    output_data      JSONB,
    error_message    TEXT,
    duration_micros  BIGINT,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    started_at       TIMESTAMPTZ,
    completed_at     TIMESTAMPTZ,
    UNIQUE (job_id, step_index)
);

CREATE TABLE settings (
    key         TEXT PRIMARY KEY,
    value       TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    category    TEXT NOT NULL DEFAULT 'general',
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

INSERT INTO settings (key, value, description, category) VALUES
    ('timeout_workflow_seconds', '300', 'How long a synchronous workflow call waits for its job', 'timeouts'),
    ('timeout_request_seconds', '360', 'How long an HTTP request may take', 'timeouts'),
    ('timeout_job_seconds', '3600', 'How long a job may run before it fails', 'timeouts'),
    ('max_tool_calls', '10', 'How many tool calls an agent may make in one step', 'agents');

-- Written in the same transaction as the row it announces; the relay publishes rows in id order and
-- deletes them once Kafka has acknowledged them.
CREATE TABLE outbox (
    id          BIGSERIAL PRIMARY KEY,
    topic       TEXT NOT NULL,
    message_key TEXT NOT NULL,
    payload     BYTEA NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
