-- Tokens a provider reported for an agent step ({"prompt_tokens", "completion_tokens", "total_tokens"});
-- null for WASM steps and for providers that report none.
ALTER TABLE job_steps ADD COLUMN usage JSONB;
