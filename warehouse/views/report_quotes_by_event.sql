-- Quotes per event and speaker.
CREATE OR REPLACE VIEW report_quotes_by_event AS
WITH event_quotes AS (
    SELECT e.name AS event, q.speaker, q.post_id, q.text
    FROM story_quotes q
    JOIN post_events pe USING (post_id)
    JOIN events e USING (event_id)
),
final AS (
    SELECT event, speaker, count(*) AS quotes, count(DISTINCT post_id) AS posts
    FROM event_quotes
    GROUP BY event, speaker
)
SELECT * FROM final ORDER BY event, quotes DESC, speaker NULLS LAST;
COMMENT ON VIEW report_quotes_by_event IS 'Quotes per event and speaker (speaker NULL: quotes nobody could be named for), each quote counted once per story (story_quotes).';
