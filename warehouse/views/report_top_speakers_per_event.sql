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
COMMENT ON COLUMN report_top_speakers_per_event.event IS 'Name of the event (events.name).';
COMMENT ON COLUMN report_top_speakers_per_event.rank IS 'Rank of the speaker within the event by quotes (dense rank: 1 = most quoted, ties share a rank).';
COMMENT ON COLUMN report_top_speakers_per_event.speaker IS 'Canonical name of the speaker, corrections applied; quotes without a speaker are left out.';
COMMENT ON COLUMN report_top_speakers_per_event.speaker_entity_id IS 'entities.entity_id of the speaker; NULL when the name is linked to no entity (then roles and organisations are NULL too).';
COMMENT ON COLUMN report_top_speakers_per_event.quotes IS 'Quotes of the speaker in the posts covering the event, each counted once per story (story_quotes).';
COMMENT ON COLUMN report_top_speakers_per_event.posts IS 'Posts those quotes were counted from: one copy per story, the canonical post when it holds the quote (story_quotes).';
COMMENT ON COLUMN report_top_speakers_per_event.roles IS 'Distinct roles posts state for the speaker (roles.role as written, in any post, not only those of the event), alphabetical; NULL when none.';
COMMENT ON COLUMN report_top_speakers_per_event.organisations IS 'Distinct organisations posts state for the speaker (in any post), alphabetical: the canonical name of the organisation''s entity when linked, else as written; NULL when none.';
