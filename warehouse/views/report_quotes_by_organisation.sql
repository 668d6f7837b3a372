-- Quotes per organisation of the speaker, from the roles posts state.
CREATE OR REPLACE VIEW report_quotes_by_organisation AS
WITH affiliations AS (
    SELECT DISTINCT r.entity_id, coalesce(o.name, r.organisation) AS organisation
    FROM roles r
    LEFT JOIN entities o ON o.entity_id = r.organisation_entity_id
    WHERE r.organisation IS NOT NULL
),
final AS (
    SELECT a.organisation, q.speaker, count(*) AS quotes, count(DISTINCT q.post_id) AS posts
    FROM story_quotes q
    JOIN affiliations a ON a.entity_id = q.speaker_entity_id
    GROUP BY a.organisation, q.speaker
)
SELECT * FROM final ORDER BY organisation, quotes DESC;
COMMENT ON VIEW report_quotes_by_organisation IS 'Quotes per organisation of the speaker (as roles state it) and speaker, each quote counted once per story (story_quotes).';
COMMENT ON COLUMN report_quotes_by_organisation.organisation IS 'An organisation that posts state for the speaker (roles, in any post): the canonical name of its entity when linked, else as written. A speaker with several organisations is counted under each.';
COMMENT ON COLUMN report_quotes_by_organisation.speaker IS 'Canonical name of the speaker; only speakers linked to an entity with a stated organisation.';
COMMENT ON COLUMN report_quotes_by_organisation.quotes IS 'Quotes of the speaker, all of them (not only those of the posts stating the organisation), each counted once per story (story_quotes).';
COMMENT ON COLUMN report_quotes_by_organisation.posts IS 'Posts those quotes were counted from: one copy per story, the canonical post when it holds the quote (story_quotes).';
