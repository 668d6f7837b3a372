-- A run stopped from outside (Ctrl-C, SIGTERM) is told from one that crashed.
COMMENT ON COLUMN runs.status IS 'running, completed, completed_with_failures, crashed (stopped by an error), or interrupted (stopped by Ctrl-C or SIGTERM; its loaded batches stay).';
