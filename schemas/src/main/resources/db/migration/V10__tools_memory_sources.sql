-- Issue 16: the rest of Mule v2's surface.

-- Standalone tools (Mule v2's /api/v1/tools): name, description and metadata {tool_type, config}. call_config is the
-- typed config an agent step is given (agents' tool kinds), derived from metadata when the tool is saved; NULL when
-- the tool is kept as data only (Mule v2's database, memory and filesystem tools have no runner here).
CREATE TABLE tools (
    id          UUID PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    metadata    JSONB NOT NULL,
    call_config JSONB,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- An agent referring to a standalone tool by id (Mule v2's POST /agents/{id}/tools {tool_id}); deleting either
-- detaches it. Resolved into the agent step of a job's snapshot when the job is accepted.
CREATE TABLE agent_tool_refs (
    agent_id    UUID NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    tool_id     UUID NOT NULL REFERENCES tools (id) ON DELETE CASCADE,
    attached_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (agent_id, tool_id)
);

-- Agent memory settings (Mule v2's /api/v1/memory-config), one row 'default'. Stored and validated; not used yet.
CREATE TABLE memory_config (
    id                  TEXT PRIMARY KEY,
    database_url        TEXT NOT NULL DEFAULT '',
    embedding_provider  TEXT NOT NULL DEFAULT 'openai',
    embedding_model     TEXT NOT NULL DEFAULT 'text-embedding-ada-002',
    embedding_dims      INTEGER NOT NULL DEFAULT 1536,
    default_ttl_seconds INTEGER NOT NULL DEFAULT 0,
    default_top_k       INTEGER NOT NULL DEFAULT 5,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT now()
);
INSERT INTO memory_config (id) VALUES ('default');

-- A module's source, when it was compiled on the server (POST /api/v1/wasm-modules/compile).
ALTER TABLE wasm_modules
    ADD COLUMN source_code     TEXT,
    ADD COLUMN source_language TEXT;
