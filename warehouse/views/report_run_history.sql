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
