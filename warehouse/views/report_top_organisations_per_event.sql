-- The most mentioned organisations of each event, ranked.
CREATE OR REPLACE VIEW report_top_organisations_per_event AS
WITH event_mentions AS (
    SELECT e.name AS event, o.name AS organisation, m.entity_id, m.post_id
    FROM mentions m
    JOIN entities o ON o.entity_id = m.entity_id AND o.type = 'ORG'
    JOIN post_events pe USING (post_id)
    JOIN events e USING (event_id)
),
counted AS (
    SELECT event, organisation, entity_id, count(*) AS mentions, count(DISTINCT post_id) AS posts
    FROM event_mentions
    GROUP BY event, organisation, entity_id
),
final AS (
    SELECT event, dense_rank() OVER (PARTITION BY event ORDER BY mentions DESC, posts DESC) AS rank,
           organisation, entity_id, mentions, posts
    FROM counted
)
SELECT * FROM final ORDER BY event, rank, organisation;
COMMENT ON VIEW report_top_organisations_per_event IS 'ORG entities per event: mentions in the posts of the event and posts mentioning them, ranked by mentions then posts (dense rank, 1 = most mentioned).';
COMMENT ON COLUMN report_top_organisations_per_event.event IS 'Name of the event (events.name).';
COMMENT ON COLUMN report_top_organisations_per_event.rank IS 'Rank of the organisation within the event by mentions, then posts (dense rank: 1 = most mentioned, ties share a rank).';
COMMENT ON COLUMN report_top_organisations_per_event.organisation IS 'Canonical name of the ORG entity.';
COMMENT ON COLUMN report_top_organisations_per_event.entity_id IS 'entities.entity_id of the organisation.';
COMMENT ON COLUMN report_top_organisations_per_event.mentions IS 'Times the posts covering the event name the organisation (rows of mentions; copies of one article each counted).';
COMMENT ON COLUMN report_top_organisations_per_event.posts IS 'Posts covering the event that mention the organisation (copies of one article each counted).';
