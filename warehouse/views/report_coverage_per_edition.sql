-- Posts per edition of each event that has editions (edition NULL: the post went to no edition).
CREATE OR REPLACE VIEW report_coverage_per_edition AS
WITH event_posts AS (
    SELECT e.name AS event, pe.event_id, pe.edition, p.post_id, coalesce(o.name, p.site_name) AS site_name, p.published_at
    FROM post_events pe
    JOIN events e USING (event_id)
    JOIN posts p USING (post_id)
    LEFT JOIN outlets o USING (domain)
    WHERE pe.event_id IN (SELECT event_id FROM event_editions)
),
post_quotes AS (
    SELECT post_id, count(*) AS quotes FROM story_quotes GROUP BY post_id
),
final AS (
    SELECT ep.event, ep.edition, any_value(x.starts_on) AS starts_on, any_value(x.ends_on) AS ends_on,
           count(*) AS posts, count(DISTINCT ep.site_name) AS sites,
           min(ep.published_at) AS first_published_at, max(ep.published_at) AS last_published_at,
           sum(coalesce(pq.quotes, 0))::BIGINT AS quotes
    FROM event_posts ep
    LEFT JOIN event_editions x ON x.event_id = ep.event_id AND x.label = ep.edition
    LEFT JOIN post_quotes pq USING (post_id)
    GROUP BY ep.event, ep.edition
)
SELECT * FROM final ORDER BY event, starts_on NULLS LAST, edition NULLS LAST;
COMMENT ON VIEW report_coverage_per_edition IS 'Posts, sites and quotes per edition of each event that has editions (edition NULL: posts of the event that went to no edition).';
COMMENT ON COLUMN report_coverage_per_edition.event IS 'Name of the event (events.name); only events that have editions.';
COMMENT ON COLUMN report_coverage_per_edition.edition IS 'Label of the edition (event_editions.label, e.g. 2026) the posts went to; NULL for the posts of the event that went to no edition.';
COMMENT ON COLUMN report_coverage_per_edition.starts_on IS 'First day of the edition; NULL when edition is NULL.';
COMMENT ON COLUMN report_coverage_per_edition.ends_on IS 'Last day of the edition; NULL when edition is NULL.';
COMMENT ON COLUMN report_coverage_per_edition.posts IS 'Posts covering the event in that edition (copies of one article each counted).';
COMMENT ON COLUMN report_coverage_per_edition.sites IS 'Distinct outlets of those posts (one name per domain: outlets; else posts.site_name); posts without either are not counted.';
COMMENT ON COLUMN report_coverage_per_edition.first_published_at IS 'Earliest publication date of those posts; NULL when none has a date.';
COMMENT ON COLUMN report_coverage_per_edition.last_published_at IS 'Latest publication date of those posts; NULL when none has a date.';
COMMENT ON COLUMN report_coverage_per_edition.quotes IS 'Reported speech quotes in those posts, each counted once per story (story_quotes: a quote in several copies of one article counts once); 0 when none.';
