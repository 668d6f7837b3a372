-- A URL that keeps failing is asked again after a growing wait, not at every run.
ALTER TABLE url_states ADD COLUMN failures INTEGER DEFAULT 0;
ALTER TABLE url_states ADD COLUMN retry_at TIMESTAMPTZ;
UPDATE url_states SET failures = CASE WHEN outcome = 'failed' THEN 1 ELSE 0 END;
COMMENT ON COLUMN url_states.failures IS 'Failed fetches in a row (0 after an answer).';
COMMENT ON COLUMN url_states.retry_at IS 'A failing URL is not asked again before this time: the fetch policy''s retry_after_minutes, doubled at each failure in a row (capped at a week); NULL when the last fetch answered.';
COMMENT ON COLUMN runs.posts_changed IS 'Posts whose output changed: reprocess runs; poll runs for pages whose article or metadata changed (new bytes around the same article, a sidebar or a nonce, are kept as a new document and not counted).';
