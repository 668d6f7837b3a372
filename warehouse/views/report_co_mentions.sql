-- Which entities are named together: pairs of entities mentioned in the same post.
CREATE OR REPLACE VIEW report_co_mentions AS
WITH post_entities AS (
    SELECT DISTINCT m.post_id, m.entity_id, e.name, e.type
    FROM mentions m
    JOIN entities e USING (entity_id)
    WHERE e.type IN ('PERSON', 'ORG', 'LOC', 'EVENT')
),
pairs AS (
    SELECT a.post_id, a.name AS entity_a, a.type AS entity_a_type, a.entity_id AS entity_a_id,
           b.name AS entity_b, b.type AS entity_b_type, b.entity_id AS entity_b_id
    FROM post_entities a
    JOIN post_entities b ON b.post_id = a.post_id
        AND (a.name < b.name OR (a.name = b.name AND a.entity_id < b.entity_id))
),
final AS (
    SELECT p.entity_a, p.entity_a_type, p.entity_a_id, p.entity_b, p.entity_b_type, p.entity_b_id,
           count(DISTINCT p.post_id) AS posts,
           list(DISTINCT e.name ORDER BY e.name) FILTER (WHERE e.name IS NOT NULL) AS events
    FROM pairs p
    LEFT JOIN post_events pe USING (post_id)
    LEFT JOIN events e USING (event_id)
    GROUP BY p.entity_a, p.entity_a_type, p.entity_a_id, p.entity_b, p.entity_b_type, p.entity_b_id
)
SELECT * FROM final ORDER BY posts DESC, entity_a, entity_b;
COMMENT ON VIEW report_co_mentions IS 'Pairs of PERSON, ORG, LOC or EVENT entities mentioned in the same post (entity_a before entity_b by name), with the number of posts naming both and the events of those posts (NULL when none).';
COMMENT ON COLUMN report_co_mentions.entity_a IS 'Canonical name of the first entity of the pair: the one that sorts first by name, then entity_id.';
COMMENT ON COLUMN report_co_mentions.entity_a_type IS 'Type of entity_a: PERSON, ORG, LOC or EVENT.';
COMMENT ON COLUMN report_co_mentions.entity_a_id IS 'entities.entity_id of entity_a.';
COMMENT ON COLUMN report_co_mentions.entity_b IS 'Canonical name of the second entity of the pair (sorts after entity_a by name, then entity_id).';
COMMENT ON COLUMN report_co_mentions.entity_b_type IS 'Type of entity_b: PERSON, ORG, LOC or EVENT.';
COMMENT ON COLUMN report_co_mentions.entity_b_id IS 'entities.entity_id of entity_b.';
COMMENT ON COLUMN report_co_mentions.posts IS 'Posts mentioning both entities, at least once each (copies of one article each counted).';
COMMENT ON COLUMN report_co_mentions.events IS 'Distinct names of the events those posts cover, alphabetical; NULL when none of them covers an event.';
