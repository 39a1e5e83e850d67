-- The gateway's additions for running on a network: API keys, idempotent job creation, agent tools.

-- API keys: only a SHA-256 of each key is kept (keys are 256 random bits, so a fast hash cannot be
-- brute-forced); `prefix` is the key's first characters, shown so a user can tell keys apart.
CREATE TABLE api_keys (
    id         UUID PRIMARY KEY,
    name       TEXT NOT NULL,
    key_hash   CHAR(64) NOT NULL UNIQUE,
    prefix     TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    revoked_at TIMESTAMPTZ
);

-- Idempotency-Key of the request that created a job: the unique index makes a retried request (even two
-- racing ones) find the first job instead of creating a second.
ALTER TABLE jobs ADD COLUMN idempotency_key TEXT;
CREATE UNIQUE INDEX jobs_idempotency_key ON jobs (idempotency_key) WHERE idempotency_key IS NOT NULL;

-- Tools attached to an agent (Mule v2's /agents/{id}/tools), kept as data: name and config.
CREATE TABLE agent_tools (
    agent_id   UUID NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    config     JSONB NOT NULL DEFAULT '{}'::jsonb,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (agent_id, name)
);
