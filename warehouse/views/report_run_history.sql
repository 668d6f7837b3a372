-- Every run, newest first: how long it took, what it did, and the failures it still holds.
CREATE OR REPLACE VIEW report_run_history AS
WITH failure_reasons AS (
    SELECT run_id, stage || ': ' || reason AS summary, count(*) AS sources
    FROM open_failures
    GROUP BY run_id, stage, reason
),
run_failures AS (
    SELECT run_id, sum(sources)::BIGINT AS failures_current,
           list(summary ORDER BY sources DESC, summary)[1:5] AS failure_reasons
    FROM failure_reasons
    GROUP BY run_id
),
final AS (
    SELECT r.run_id, r.flow_name, r.status, r.started_at, r.finished_at,
           epoch(r.finished_at - r.started_at) AS duration_seconds,
           r.parser_version, r.options, r.inputs_seen, r.documents_new, r.posts_written,
           r.posts_unchanged, r.posts_changed, r.failures, r.failures_by_stage,
           coalesce(rf.failures_current, 0) AS failures_current,
           coalesce(rf.failure_reasons, []) AS failure_reasons
    FROM runs r
    LEFT JOIN run_failures rf USING (run_id)
)
SELECT * FROM final ORDER BY started_at DESC, run_id;
COMMENT ON VIEW report_run_history IS 'Every run, newest first: duration in seconds (NULL while running or after a crash), status, parser version, options and counts; failures is what the run counted, failures_current the rows of failures that still name the run, failure_reasons up to 5 distinct "stage: reason" of those, most frequent first.';
COMMENT ON COLUMN report_run_history.run_id IS 'Id of the run (runs.run_id).';
COMMENT ON COLUMN report_run_history.flow_name IS 'What ran: ingest, poll, reprocess, or a covpipe events command (events add, events remove, events load).';
COMMENT ON COLUMN report_run_history.status IS 'running, completed, completed_with_failures, crashed (stopped by an error) or interrupted (stopped by Ctrl-C or SIGTERM).';
COMMENT ON COLUMN report_run_history.started_at IS 'Start time (UTC).';
COMMENT ON COLUMN report_run_history.finished_at IS 'End time (UTC); NULL while running, or when the process was killed before it could record its end.';
COMMENT ON COLUMN report_run_history.duration_seconds IS 'finished_at - started_at, in seconds; NULL when finished_at is NULL.';
COMMENT ON COLUMN report_run_history.parser_version IS 'Parser version of the run.';
COMMENT ON COLUMN report_run_history.options IS 'How the run was asked to run (JSON): for reprocess its selection (stale or all, where) and the run it resumes, for poll its sources and sources file; {} for the others.';
COMMENT ON COLUMN report_run_history.inputs_seen IS 'Input files or URLs considered.';
COMMENT ON COLUMN report_run_history.documents_new IS 'Raw documents stored for the first time.';
COMMENT ON COLUMN report_run_history.posts_written IS 'Posts parsed and written.';
COMMENT ON COLUMN report_run_history.posts_unchanged IS 'Posts skipped because neither the document nor the parser changed.';
COMMENT ON COLUMN report_run_history.posts_changed IS 'Posts whose output changed (reprocess and poll runs; runs.posts_changed).';
COMMENT ON COLUMN report_run_history.failures IS 'Documents that failed, as the run counted them (some may have succeeded or been dismissed since).';
COMMENT ON COLUMN report_run_history.failures_by_stage IS 'Failures the run counted per stage (JSON object).';
COMMENT ON COLUMN report_run_history.failures_current IS 'Sources still failing whose last failure this run saw: rows of open_failures (failures not dismissed) with this run_id; 0 when none.';
COMMENT ON COLUMN report_run_history.failure_reasons IS 'Up to 5 distinct "stage: reason" of those current failures, the most frequent first (ties alphabetical); empty list when none.';
