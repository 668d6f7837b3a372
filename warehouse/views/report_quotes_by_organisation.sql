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
