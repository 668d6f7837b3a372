-- Posts and stories per event per week, with the outlets that covered it.
CREATE OR REPLACE VIEW report_coverage_per_event_week AS
WITH event_posts AS (
    SELECT e.name AS event, p.post_id, coalesce(p.story_id, p.post_id) AS story_id, p.site_name,
           coalesce(o.name, p.site_name) AS outlet, date_trunc('week', p.published_at) AS week
    FROM post_events pe
    JOIN events e USING (event_id)
    JOIN posts p USING (post_id)
    LEFT JOIN outlets o USING (domain)
),
final AS (
    SELECT event, week, count(DISTINCT story_id) AS stories, count(*) AS posts,
           list(DISTINCT outlet ORDER BY outlet) FILTER (WHERE outlet IS NOT NULL) AS outlets,
           list(DISTINCT site_name) FILTER (WHERE site_name IS NOT NULL) AS sites
    FROM event_posts
    GROUP BY event, week
)
SELECT * FROM final ORDER BY event, week;
COMMENT ON VIEW report_coverage_per_event_week IS 'Stories (copies of one article counted once) and posts per event per week (week NULL when the date is unknown), with the outlets (one name per domain: outlets) and the site names that covered it.';
COMMENT ON COLUMN report_coverage_per_event_week.event IS 'Name of the event (events.name).';
COMMENT ON COLUMN report_coverage_per_event_week.week IS 'Monday (00:00) of the week of publication; NULL for the posts whose date is unknown.';
COMMENT ON COLUMN report_coverage_per_event_week.stories IS 'Stories (copies of one article counted once) covering the event that week.';
COMMENT ON COLUMN report_coverage_per_event_week.posts IS 'Posts covering the event that week (copies of one article each counted).';
COMMENT ON COLUMN report_coverage_per_event_week.outlets IS 'Distinct outlets of those posts, alphabetical: the outlet name of the post''s domain (outlets.name), else its site name; NULL when no post has either.';
COMMENT ON COLUMN report_coverage_per_event_week.sites IS 'Distinct site names (posts.site_name) of those posts, in no set order; NULL when no post has one.';
