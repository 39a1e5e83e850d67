-- Agents as people use them: the provider's protocol, sampling settings, and skills (named instruction documents
-- appended to an agent's system prompt). Tools stay in agent_tools (V3); their config names the tool's type.

ALTER TABLE providers
    ADD COLUMN kind TEXT NOT NULL DEFAULT 'openai' CHECK (kind IN ('openai', 'ollama', 'anthropic', 'gemini'));

ALTER TABLE agents
    ADD COLUMN temperature DOUBLE PRECISION CHECK (temperature BETWEEN 0 AND 2),
    ADD COLUMN max_tokens  INTEGER CHECK (max_tokens BETWEEN 1 AND 1000000);

CREATE TABLE skills (
    id          UUID PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    content     TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- A skill attached to an agent; deleting either detaches it. Appended in attachment order.
CREATE TABLE agent_skills (
    agent_id    UUID NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    skill_id    UUID NOT NULL REFERENCES skills (id) ON DELETE CASCADE,
    attached_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (agent_id, skill_id)
);
