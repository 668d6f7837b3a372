-- Posts per event per week, with the sites that covered it.
CREATE OR REPLACE VIEW report_coverage_per_event_week AS
WITH event_posts AS (
    SELECT e.name AS event, p.post_id, p.site_name, date_trunc('week', p.published_at) AS week
    FROM post_events pe
    JOIN events e USING (event_id)
    JOIN posts p USING (post_id)
),
final AS (
    SELECT event, week, count(*) AS posts, list(DISTINCT site_name) FILTER (WHERE site_name IS NOT NULL) AS sites
    FROM event_posts
    GROUP BY event, week
)
SELECT * FROM final ORDER BY event, week;
COMMENT ON VIEW report_coverage_per_event_week IS 'Posts per event per week (week NULL when the date is unknown), with the sites that covered it.';
