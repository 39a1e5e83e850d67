-- What a WASM step's module wrote to stdout and stderr (capped by the orchestrator, marked when cut);
-- null for agent steps, for steps that produced no result (timeout, lost runner), and for older rows.
ALTER TABLE job_steps ADD COLUMN stdout TEXT;
ALTER TABLE job_steps ADD COLUMN stderr TEXT;
