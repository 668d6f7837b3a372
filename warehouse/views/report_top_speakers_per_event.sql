-- The most quoted speakers of each event, ranked, with the roles and organisations posts state for them.
CREATE OR REPLACE VIEW report_top_speakers_per_event AS
WITH event_quotes AS (
    SELECT e.name AS event, q.speaker, q.speaker_entity_id, q.post_id
    FROM story_quotes q
    JOIN post_events pe USING (post_id)
    JOIN events e USING (event_id)
    WHERE q.speaker IS NOT NULL
),
speaker_roles AS (
    SELECT r.entity_id AS speaker_entity_id,
           list(DISTINCT r.role ORDER BY r.role) FILTER (WHERE r.role IS NOT NULL) AS roles,
           list(DISTINCT coalesce(o.name, r.organisation) ORDER BY coalesce(o.name, r.organisation))
               FILTER (WHERE r.organisation IS NOT NULL) AS organisations
    FROM roles r
    LEFT JOIN entities o ON o.entity_id = r.organisation_entity_id
    GROUP BY r.entity_id
),
counted AS (
    SELECT event, speaker, speaker_entity_id, count(*) AS quotes, count(DISTINCT post_id) AS posts
    FROM event_quotes
    GROUP BY event, speaker, speaker_entity_id
),
final AS (
    SELECT c.event, dense_rank() OVER (PARTITION BY c.event ORDER BY c.quotes DESC) AS rank,
           c.speaker, c.speaker_entity_id, c.quotes, c.posts, sr.roles, sr.organisations
    FROM counted c
    LEFT JOIN speaker_roles sr USING (speaker_entity_id)
)
SELECT * FROM final ORDER BY event, rank, speaker;
COMMENT ON VIEW report_top_speakers_per_event IS 'Named speakers per event ranked by quotes counted once per story (story_quotes; dense rank, 1 = most quoted), with posts quoting them and the distinct roles and organisations (canonical name when linked) roles state for them, NULL when none.';
